namespace Polymath.Physics;

/// <summary>Input checks shared by the simulations, so every entry point fails the same clear way before work starts.</summary>
internal static class PhysicsChecks
{
    /// <summary>Fraction of the memory available to the process a run may plan to use.</summary>
    private const double MemoryFraction = 0.8;

    public static void Temperatures(IReadOnlyList<double>? temperatures, string where)
    {
        if (temperatures is null || temperatures.Count == 0)
            throw new ArgumentException($"{where}: the temperature list is empty", nameof(temperatures));
        for (int i = 0; i < temperatures.Count; i++)
        {
            double t = temperatures[i];
            if (!(t > 0) || !double.IsFinite(t))
                throw new ArgumentException($"{where}: temperature #{i} is {t}; temperatures must be positive and finite", nameof(temperatures));
        }
        // A repeated temperature would run the same chain (same stream key) twice and count it as two replicas.
        var repeated = temperatures.GroupBy(t => t).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentException($"{where}: temperature {repeated.Key} is listed {repeated.Count()} times; use Replicas for more chains", nameof(temperatures));
    }

    public static void Memory(long bytes, string what)
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes < 0 || bytes > available * MemoryFraction)
            throw new InsufficientMemoryException(
                $"{what} needs about {Format(bytes)} but only {Format(available)} is available to this process; use smaller lattices or fewer parallel chains");
    }

    public static string Format(long bytes) => bytes switch
    {
        < 0 => "more than 8 EiB",
        < 1L << 20 => $"{bytes / 1024.0:F1} KiB",
        < 1L << 30 => $"{bytes / (double)(1 << 20):F1} MiB",
        _ => $"{bytes / (double)(1L << 30):F2} GiB",
    };
}
