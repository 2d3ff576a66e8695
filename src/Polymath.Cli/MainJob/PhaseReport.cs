using System.Globalization;
using System.Net;
using System.Text;
using Polymath.Physics;
using Polymath.Physics.Learning;
using Polymath.Training;

namespace Polymath.Cli;

/// <summary>
/// The demo's self-contained HTML report: the estimate of T_c against the exact value, the classifier's output vs T for
/// every L with its crossings, the finite-size extrapolation, and the simulation's observables with error bars, all as
/// inline SVG drawn by <see cref="HtmlReport"/>. Well-formed XHTML, no scripts, nothing fetched.
/// </summary>
internal static class PhaseReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Renders the report.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="study">Crossings and fits.</param>
    /// <param name="collapse">The data collapse of the output curves, or null.</param>
    /// <param name="chain">The quantum chain's study, or null.</param>
    /// <param name="observables">Observables per (L, T) computed from the published dataset.</param>
    /// <param name="provenance">Rows naming where the data and the model live, and timings.</param>
    public static string Render(DemoOptions options, PhaseStudyResult study, CollapseFit? collapse, ChainResult? chain, IReadOnlyList<IsingObservables> observables, IEnumerable<(string Name, string Value)> provenance)
    {
        double tc = Onsager.CriticalTemperature;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
          .Append("<title>Learning the Ising phase transition</title>\n<style>\n")
          .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}")
          .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
          .Append("th{background:#f4f4f4}td.k{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}")
          .Append("figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}.estimate{font-size:1.3em}\n</style>\n</head>\n<body>\n")
          .Append("<h1>Learning the Ising phase transition</h1>\n");
        var fit = study.FixedNu;
        if (IsingPhasePipeline.PrimaryEstimate(study, collapse) is { } primary)
            sb.Append("<p class=\"estimate\" id=\"estimate\">T<sub>c</sub> = ").Append(E(primary.Value.ToString(4)))
              .Append(" (").Append(E(primary.Method)).Append("; exact 2/ln(1+√2) = ").Append(tc.ToString("F6", Inv)).Append(", ")
              .Append(Pct(primary.Value.Value / tc - 1)).Append(", ").Append(primary.Value.Deviations(tc).ToString("F1", Inv)).Append(" σ)</p>\n");
        if (chain is not null && IsingPhasePipeline.PrimaryEstimate(chain.Study, chain.Collapse) is { } hc)
            sb.Append("<p class=\"estimate\" id=\"chain-estimate\">h<sub>c</sub> = ").Append(E(hc.Value.ToString(3)))
              .Append(" (transverse-field Ising chain, ").Append(E(hc.Method)).Append("; exact 1, ").Append(Pct(hc.Value.Value - 1)).Append(", ")
              .Append(hc.Value.Deviations(1).ToString("F1", Inv)).Append(" σ)</p>\n");
        sb.Append("<p>Classifiers (").Append(E(PhaseClassifierKinds.Name(options.Model))).Append(") were trained on configurations at T ≤ ")
          .Append(options.OrderedMax.ToString(Inv)).Append(" (ordered) and T ≥ ").Append(options.DisorderedMin.ToString(Inv))
          .Append(" (disordered) only, then asked about every temperature; where their mean output crosses 1/2 estimates the transition ")
          .Append("at each size, and T*(L) = T<sub>c</sub> + a·L<sup>−1/ν</sup> extrapolates it (Carrasquilla &amp; Melko, Nature Physics 13, 431 (2017)).</p>\n");
        sb.Append("<table>\n");
        foreach (var (k, v) in provenance)
            sb.Append("<tr><td class=\"k\">").Append(E(k)).Append("</td><td class=\"k\">").Append(E(v)).Append("</td></tr>\n");
        sb.Append("</table>\n<div class=\"charts\">\n");

        var outputs = study.Sizes.Select(r => new HtmlReport.Series($"L = {r.Size}", r.Grid.Zip(r.MeanOutput).ToList(), r.MeanOutputError)).ToList();
        double t0 = study.Sizes.Min(r => r.Grid[0]), t1 = study.Sizes.Max(r => r.Grid[^1]);
        outputs.Add(new HtmlReport.Series("output 1/2", [(t0, 0.5), (t1, 0.5)]));
        outputs.Add(new HtmlReport.Series("exact T_c", [(tc, 0), (tc, 1)]));
        sb.Append(HtmlReport.Chart("Classifier output (probability of disordered) vs T", "T (J/k_B)", outputs));

        var xs = study.Sizes.Select(r => 1.0 / r.Size).ToList();
        var extrap = new List<HtmlReport.Series>
        {
            new("crossing T*(L)", study.Sizes.Select(r => (1.0 / r.Size, r.Crossing.Value)).ToList(), study.Sizes.Select(r => r.Crossing.Error).ToList(), Markers: true),
        };
        if (fit is not null)
        {
            extrap.Add(new HtmlReport.Series("fit, ν = 1", [(0, fit.Critical.Value), (xs.Max(), fit.Critical.Value + fit.Amplitude.Value * xs.Max())]));
            extrap.Add(new HtmlReport.Series("fit: T_c at 1/L = 0", [(0, fit.Critical.Value)], [fit.Critical.Error], Markers: true));
        }
        if (study.FreeNu is { } free && double.IsFinite(free.Critical.Value))
            extrap.Add(new HtmlReport.Series($"fit, ν = {free.Nu.Value.ToString("F2", Inv)} free", Line(x => free.At(1 / Math.Max(x, 1e-9)), xs.Max())));
        extrap.Add(new HtmlReport.Series("exact T_c", [(0, tc)], Markers: true));
        sb.Append(HtmlReport.Chart("Finite-size extrapolation of the crossing (x = 1/L)", "1/L", extrap));

        if (collapse is not null && double.IsFinite(collapse.Critical.Value))
        {
            var collapsed = study.Sizes.Select(r => new HtmlReport.Series($"L = {r.Size}",
                r.Grid.Select((t, k) => ((t - collapse.Critical.Value) * Math.Pow(r.Size, 1 / collapse.Nu.Value), r.MeanOutput[k])).ToList(), r.MeanOutputError)).ToList();
            sb.Append(HtmlReport.Chart($"Data collapse: output vs (T − {collapse.Critical.Value.ToString("F3", Inv)})·L^(1/{collapse.Nu.Value.ToString("F2", Inv)})",
                "(T − T_c)·L^(1/ν)", collapsed));
        }

        var sizes = observables.Select(o => o.Size).Distinct().Order().ToList();
        void Observable(string caption, Func<IsingObservables, Estimate> pick, Func<double, double>? exact, string exactName)
        {
            var series = sizes.Select(l =>
            {
                var rows = observables.Where(o => o.Size == l).OrderBy(o => o.Temperature).ToList();
                return new HtmlReport.Series($"L = {l}", rows.Select(o => (o.Temperature, pick(o).Value)).ToList(), rows.Select(o => pick(o).Error).ToList());
            }).ToList();
            if (exact is not null)
                series.Add(new HtmlReport.Series(exactName, Enumerable.Range(0, 201).Select(i => t0 + (t1 - t0) * i / 200).Select(t => (t, exact(t))).ToList()));
            sb.Append(HtmlReport.Chart(caption, "T (J/k_B)", series));
        }
        Observable("Energy per spin", o => o.Energy, Onsager.EnergyPerSpin, "Onsager (L = ∞)");
        Observable("|magnetisation| per spin", o => o.AbsMagnetization, Onsager.SpontaneousMagnetization, "Yang (L = ∞)");
        Observable("Specific heat per spin", o => o.SpecificHeat, null, "");
        Observable("Susceptibility per spin", o => o.Susceptibility, null, "");
        Observable("Binder cumulant", o => o.Binder, null, "");
        sb.Append("</div>\n<h2>Crossings</h2>\n<table>\n<tr><th>L</th><th>T*(L)</th><th>bootstrap error</th><th>network spread</th>")
          .Append("<th>each network</th><th>training accuracy</th><th>T* − T<sub>c</sub></th></tr>\n");
        foreach (var r in study.Sizes)
            sb.Append("<tr><td>").Append(r.Size).Append("</td><td>").Append(E(r.Crossing.ToString(4))).Append("</td><td>").Append(r.BootstrapError.ToString("F4", Inv))
              .Append("</td><td>").Append(r.NetworkError.ToString("F4", Inv)).Append("</td><td>").Append(E(string.Join(" ", r.NetworkCrossings.Select(c => c.ToString("F4", Inv)))))
              .Append("</td><td>").Append(r.TrainingAccuracy.ToString("P2", Inv)).Append("</td><td>").Append(Pct(r.Crossing.Value / tc - 1)).Append("</td></tr>\n");
        sb.Append("</table>\n<h2>Extrapolation</h2>\n<table>\n<tr><th>fit</th><th>T<sub>c</sub></th><th>a</th><th>ν</th><th>χ²/dof</th><th>vs exact</th></tr>\n");
        foreach (var f in new[] { study.FixedNu, study.FreeNu })
            if (f is not null)
                sb.Append("<tr><td class=\"k\">").Append(f.NuFree ? "ν free" : "ν = 1 fixed").Append("</td><td>").Append(E(f.Critical.ToString(4))).Append("</td><td>")
                  .Append(E(f.Amplitude.ToString(3))).Append("</td><td>").Append(E(f.NuFree ? f.Nu.ToString(2) : "1")).Append("</td><td>")
                  .Append(f.ChiSquared.ToString("F2", Inv)).Append('/').Append(f.DegreesOfFreedom).Append("</td><td>")
                  .Append(Pct(f.Critical.Value / tc - 1)).Append(", ").Append(f.Critical.Deviations(tc).ToString("F1", Inv)).Append(" σ")
                  .Append(f.NuAtScanEdge ? " (ν at the edge of its scan [0.3, 3]: not determined by these sizes)" : "").Append("</td></tr>\n");
        if (collapse is not null && double.IsFinite(collapse.Critical.Value))
            sb.Append("<tr><td class=\"k\">data collapse</td><td>").Append(E(collapse.Critical.ToString(4))).Append("</td><td></td><td>")
              .Append(E(collapse.Nu.ToString(2))).Append("</td><td>").Append(collapse.CostPerPoint.ToString("F2", Inv)).Append(" per point</td><td>")
              .Append(Pct(collapse.Critical.Value / tc - 1)).Append(", ").Append(collapse.Critical.Deviations(tc).ToString("F1", Inv)).Append(collapse.AtRangeEdge ? " σ (at the edge of its search range: not determined; " : " σ (").Append("exact ν = 1; network jackknife ")
              .Append(collapse.CriticalNetworkError.ToString("F4", Inv)).Append(" in T<sub>c</sub>, ").Append(collapse.NuNetworkError.ToString("F3", Inv)).Append(" in ν; size jackknife ")
              .Append(collapse.CriticalSizeError.ToString("F4", Inv)).Append(" in T<sub>c</sub>, ").Append(collapse.NuSizeError.ToString("F3", Inv)).Append(" in ν)</td></tr>\n");
        sb.Append("</table>\n");
        if (chain is not null)
        {
            sb.Append("<h2>Transverse-field Ising chain</h2>\n<p>Dense classifiers trained on Z-basis snapshots ")
              .Append(options.ChainMethod == TfimSamplingMethod.ClusterQmc ? "from continuous-time cluster QMC at β = 2n (" : "of exact ground states (").Append(E(chain.DatasetAddress))
              .Append(") at h ≤ 0.5 (ordered) and h ≥ 1.6 (disordered); h<sub>c</sub> = 1 exactly.</p>\n");
            var chainCurves = chain.Study.Sizes.Select(r => new HtmlReport.Series($"n = {r.Size}", r.Grid.Zip(r.MeanOutput).ToList(), r.MeanOutputError)).ToList();
            chainCurves.Add(new HtmlReport.Series("exact h_c", [(1, 0), (1, 1)]));
            sb.Append("<div class=\"charts\">\n").Append(HtmlReport.Chart("Chain classifier output vs h", "h / J", chainCurves)).Append("</div>\n");
            sb.Append("<table>\n<tr><th>n / fit</th><th>h</th><th>ν</th><th>vs exact</th></tr>\n");
            foreach (var r in chain.Study.Sizes)
                sb.Append("<tr><td>n = ").Append(r.Size).Append(" crossing</td><td>").Append(E(r.Crossing.ToString(4))).Append("</td><td></td><td>").Append(Pct(r.Crossing.Value - 1)).Append("</td></tr>\n");
            foreach (var f in new[] { chain.Study.FixedNu, chain.Study.FreeNu })
                if (f is not null)
                    sb.Append("<tr><td class=\"k\">").Append(f.NuFree ? "extrapolation, ν free" : "extrapolation, ν = 1").Append("</td><td>").Append(E(f.Critical.ToString(4)))
                      .Append("</td><td>").Append(E(f.NuFree ? f.Nu.ToString(2) : "1")).Append("</td><td>").Append(Pct(f.Critical.Value - 1)).Append(", ")
                      .Append(f.Critical.Deviations(1).ToString("F1", Inv)).Append(" σ</td></tr>\n");
            if (chain.Collapse is { } cc && double.IsFinite(cc.Critical.Value))
                sb.Append("<tr><td class=\"k\">data collapse</td><td>").Append(E(cc.Critical.ToString(4))).Append("</td><td>").Append(E(cc.Nu.ToString(2)))
                  .Append("</td><td>").Append(Pct(cc.Critical.Value - 1)).Append(", ").Append(cc.Critical.Deviations(1).ToString("F1", Inv)).Append(" σ (jackknife over networks ")
                  .Append(cc.CriticalNetworkError.ToString("F4", Inv)).Append(", over sizes ").Append(cc.CriticalSizeError.ToString("F4", Inv)).Append(")</td></tr>\n");
            sb.Append("</table>\n");
        }
        sb.Append("<p>Errors: the crossing's error combines a bootstrap over the evaluation configurations (resampled within each temperature) ")
          .Append("with the standard error of the crossings of independently initialised networks; the fits weight each size by 1/σ² and scale their ")
          .Append("covariance by χ²/dof when it exceeds 1. The data collapse chooses (T<sub>c</sub>, ν) so that the output curves of all sizes ")
          .Append("fall on one curve of (T − T<sub>c</sub>)·L<sup>1/ν</sup> (points with output in [0.05, 0.95]; errors where the summed cost rises by 1, ")
          .Append("combined in quadrature with two jackknifes: the collapse repeated leaving out one network at a time, and, with three or more sizes, one size at a time, which measures how much the sizes disagree through corrections to scaling). ")
          .Append("The headline estimate is the data collapse when it converged, otherwise the ν = 1 extrapolation; this rule does not depend on the result.</p>\n");
        sb.Append("<p>Generated by polymath demo on ").Append(DateTime.UtcNow.ToString("u", Inv)).Append(".</p>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static List<(double X, double Y)> Line(Func<double, double> f, double xMax) =>
        Enumerable.Range(0, 61).Select(i => xMax * i / 60).Select(x => (x, f(x))).ToList();

    private static string Pct(double relative) => (relative * 100).ToString("+0.000;-0.000", Inv) + "%";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
