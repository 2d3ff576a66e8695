namespace Polymath.Physics;

/// <summary>The measured time series of one chain: per-spin energy e and magnetisation m at each measurement.</summary>
/// <param name="Size">L.</param>
/// <param name="Temperature">T.</param>
/// <param name="Replica">The replica index.</param>
/// <param name="Spacing">Sweeps between measurements.</param>
/// <param name="ThermalizationSweeps">Sweeps discarded before the first measurement.</param>
/// <param name="Energy">e = E/N per measurement.</param>
/// <param name="Magnetization">m = M/N per measurement (signed).</param>
/// <param name="PilotTauEnergy">τ_int of e in sweeps from the pilot, if one ran.</param>
/// <param name="PilotTauAbsMagnetization">τ_int of |m| in sweeps from the pilot, if one ran.</param>
public sealed record ChainSeries(int Size, double Temperature, int Replica, int Spacing, long ThermalizationSweeps,
    double[] Energy, double[] Magnetization, AutocorrelationTime? PilotTauEnergy, AutocorrelationTime? PilotTauAbsMagnetization);
