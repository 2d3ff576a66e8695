namespace Polymath.Hub.Services;

/// <summary>One label: on a file (or one record of it) of a version, by whom and when.</summary>
internal sealed record AnnotationInfo(long Id, string Commit, string Path, string? Record, string Key, string Value, string? LabelSet, string Author, string Time);

/// <summary>Agreement over a label set: items labelled, annotators and how many items each labelled, Fleiss' kappa, pairwise Cohen's kappa.</summary>
internal sealed record AgreementReport(int Items, List<string> Annotators, Dictionary<string, int> Labelled, double? FleissKappa, List<PairAgreement> Pairs);

/// <summary>Two annotators: items both labelled, the share labelled alike, and Cohen's kappa (null when undefined).</summary>
internal sealed record PairAgreement(string A, string B, int Items, double? Agreement, double? CohensKappa);
