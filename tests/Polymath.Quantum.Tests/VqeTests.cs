using System.Numerics;
using Polymath.Quantum;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Quantum.Tests;

/// <summary>Ansatz construction, exact gradients (parameter shift and adjoint vs finite differences), optimizers and VQE runs.</summary>
[Collection(HamiltonianTestCollection.Name)]
public class VqeTests(ITestOutputHelper output)
{
    [Fact]
    public void HardwareEfficientAnsatzShape()
    {
        var a = HardwareEfficientAnsatz.Build(4, 3);
        Assert.Equal(2 * 4 * 4, a.NumParameters);
        Assert.Equal(a.ParameterNames, a.Circuit.Parameters);                    // zero-padded names sort in vector order
        Assert.Equal("θ[00]", a.ParameterNames[0]);
        Assert.Equal(9, a.Circuit.CountOps()["cz"]);
        Assert.Equal(12, HardwareEfficientAnsatz.Build(4, 3, EntanglementPattern.Circular, EntanglingGate.CX).Circuit.CountOps()["cx"]);
        Assert.Equal(18, HardwareEfficientAnsatz.Build(4, 3, EntanglementPattern.Full).Circuit.CountOps()["cz"]);
        var ry = HardwareEfficientAnsatz.Build(3, 2, rotations: "ry");
        Assert.Equal(9, ry.NumParameters);
        Assert.False(ry.Circuit.CountOps().ContainsKey("rz"));
        // All-zero parameters with CZ entanglers leave |0…0⟩ unchanged.
        Assert.Equal(1.0, a.State(new double[a.NumParameters])[0].Real, 14);
    }

    private static double[] FiniteDifference(EnergyFunction f, double[] x, double h = 1e-5)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var p = (double[])x.Clone(); p[i] += h;
            var m = (double[])x.Clone(); m[i] -= h;
            g[i] = (f.Energy(p) - f.Energy(m)) / (2 * h);
        }
        return g;
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesOnHardwareEfficientAnsatz()
    {
        var h = SpinChains.TransverseFieldIsing(4, 1.0, 0.7);
        var ansatz = HardwareEfficientAnsatz.Build(4, 2, EntanglementPattern.Circular, EntanglingGate.CX);
        var f = new EnergyFunction(h, ansatz);
        var x = Vqe.RandomParameters(ansatz.NumParameters, 3);
        var fd = FiniteDifference(f, x);
        var shift = f.ParameterShiftGradient(x);
        var (e, adjoint) = f.AdjointGradient(x);
        Assert.Equal(f.Energy(x), e, 13);
        double dFd = fd.Zip(shift).Max(t => Math.Abs(t.First - t.Second));
        double dAdj = adjoint.Zip(shift).Max(t => Math.Abs(t.First - t.Second));
        output.WriteLine($"|shift − FD| {dFd:E2}, |adjoint − shift| {dAdj:E2}");
        Assert.True(dFd < 1e-8);
        Assert.True(dAdj < 1e-10);
    }

    [Fact]
    public void ChainRuleHandlesSharedScaledParametersAndEveryGateKind()
    {
        // θ0 appears in three gates (with coefficients 2, 1 and −1 after an inverse), θ1 and θ2 in combinations.
        var t0 = new Parameter("a"); var t1 = new Parameter("b"); var t2 = new Parameter("c");
        ParameterExpression a = t0, b = t1, c = t2;
        var circuit = new Circuit(3)
            .H(0).RX(2 * a + 0.3, 0).RY(b, 1).CX(0, 1).RZ(a - c, 2)
            .RXX(c, 0, 2).RYY(0.5 * b, 1, 2).RZZ(-1.0 * a, 0, 1)
            .H(2).P(b + c, 2).CP(a, 0, 2).SX(1).RY(c, 1);
        circuit = circuit.Compose(new Circuit(3).RX(a, 1).Inverse());
        var ansatz = new Ansatz(circuit, ["a", "b", "c"]);
        var h = PauliSum.Parse("0.7*XZY - 0.3*ZZI + 1.1*IYX + 0.5*IIZ + 0.2*XXX");
        var f = new EnergyFunction(h, ansatz);
        var x = new[] { 0.41, -1.3, 2.2 };
        var fd = FiniteDifference(f, x);
        var shift = f.ParameterShiftGradient(x);
        var adjoint = f.AdjointGradient(x).Gradient;
        for (int i = 0; i < 3; i++)
        {
            output.WriteLine($"∂E/∂{ansatz.ParameterNames[i]}: FD {fd[i]:R} shift {shift[i]:R} adjoint {adjoint[i]:R}");
            Assert.Equal(fd[i], shift[i], 8);
            Assert.Equal(shift[i], adjoint[i], 10);
        }
    }

    [Fact]
    public void GateWithoutShiftRuleIsRejectedByPosition()
    {
        var c = new Circuit(2).RY(new Parameter("x"), 0).CRX(new Parameter("y"), 0, 1);
        var e = Assert.Throws<NotSupportedException>(() => new EnergyFunction(PauliSum.Parse("ZZ"), new Ansatz(c)));
        output.WriteLine(e.Message);
        Assert.Contains("instruction 1", e.Message);
        Assert.Contains("crx", e.Message);
    }

    private static double Rosenbrock(double[] x) => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2);

    private static (double, double[]) RosenbrockWithGradient(double[] x) =>
        (Rosenbrock(x), [-400 * x[0] * (x[1] - x[0] * x[0]) - 2 * (1 - x[0]), 200 * (x[1] - x[0] * x[0])]);

    [Fact]
    public void OptimizersMinimiseRosenbrock()
    {
        var lbfgs = new Lbfgs().Minimize(Rosenbrock, RosenbrockWithGradient, [-1.2, 1.0]);
        output.WriteLine($"L-BFGS: {lbfgs.X[0]:R}, {lbfgs.X[1]:R} in {lbfgs.Iterations} iterations, {lbfgs.FunctionEvaluations} evaluations");
        Assert.True(lbfgs.Converged);
        Assert.Equal(1.0, lbfgs.X[0], 6);
        Assert.Equal(1.0, lbfgs.X[1], 6);
        for (int k = 1; k < lbfgs.History.Count; k++) Assert.True(lbfgs.History[k] <= lbfgs.History[k - 1]);

        var nm = new NelderMead().Minimize(Rosenbrock, null, [-1.2, 1.0]);
        output.WriteLine($"Nelder–Mead: {nm.X[0]:R}, {nm.X[1]:R} in {nm.FunctionEvaluations} evaluations");
        Assert.True(nm.Converged);
        Assert.Equal(1.0, nm.X[0], 5);
        Assert.Equal(1.0, nm.X[1], 5);

        // SPSA on a convex quadratic: seeded, so two runs agree exactly; it ends near the minimum.
        double Quad(double[] x) => Math.Pow(x[0] - 0.5, 2) + 2 * Math.Pow(x[1] + 0.25, 2);
        var s1 = new Spsa { Seed = 4, MaxIterations = 400 }.Minimize(Quad, null, [2.0, 2.0]);
        var s2 = new Spsa { Seed = 4, MaxIterations = 400 }.Minimize(Quad, null, [2.0, 2.0]);
        Assert.Equal(s1.X, s2.X);
        Assert.True(s1.Value < 1e-3, $"SPSA value {s1.Value}");
    }

    [Fact]
    public void VqeReachesTfimGroundEnergy()
    {
        var h = SpinChains.TransverseFieldIsing(4, 1.0, 1.0);
        double exact = HermitianEigensolver.Eigenvalues(h.ToMatrix())[0];
        var ansatz = HardwareEfficientAnsatz.Build(4, 3);
        var r = Vqe.Run(h, ansatz, new Lbfgs(), seed: 7);
        output.WriteLine($"TFIM n=4 h=1 open: exact {exact:R}, VQE {r.Energy:R} (error {r.Energy - exact:E2}), {r.History.Count - 1} iterations, {r.EnergyEvaluations} energies, {r.GradientEvaluations} gradients");
        Assert.True(r.Energy >= exact - 1e-12);                                  // variational bound
        Assert.True(r.Energy - exact < 1e-3);
        Assert.Equal(r.Energy, h.Expectation(ansatz.State(r.Parameters)), 12);
    }

    [Theory]
    [InlineData(GradientMethod.Adjoint)]
    [InlineData(GradientMethod.ParameterShift)]
    public void VqeReachesH2ChemicalAccuracyWithLbfgs(GradientMethod method)
    {
        var h = Molecules.H2Parity();
        var r = Vqe.Run(h, HardwareEfficientAnsatz.Build(2, 1), new Lbfgs(), seed: 1, gradient: method);
        output.WriteLine($"H2 ({method}): VQE {r.Energy:R}, error {r.Energy - Molecules.H2ElectronicGroundEnergy:E2}");
        Assert.True(Math.Abs(r.Energy - Molecules.H2ElectronicGroundEnergy) < 1.6e-3);
        Assert.True(r.Energy >= Molecules.H2ElectronicGroundEnergy - 1e-9);
    }

    [Fact]
    public void VqeReachesH2ChemicalAccuracyWithNelderMeadOnFourQubits()
    {
        var h = Molecules.H2JordanWigner();
        var ansatz = HardwareEfficientAnsatz.Build(4, 2, rotations: "ry", gate: EntanglingGate.CX);
        var r = Vqe.Run(h, ansatz, new NelderMead { MaxEvaluations = 6000 }, seed: 2);
        output.WriteLine($"H2 JW (Nelder–Mead): VQE {r.Energy:R}, error {r.Energy - Molecules.H2ElectronicGroundEnergy:E2}, {r.EnergyEvaluations} energies");
        Assert.True(Math.Abs(r.Energy - Molecules.H2ElectronicGroundEnergy) < 1.6e-3);
    }
}
