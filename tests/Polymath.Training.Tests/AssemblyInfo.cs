using Xunit;

// The training tests check bit-for-bit reproducibility, which depends on the process-wide random generator and
// thread count; tests running side by side would draw from the same generator. They take a few seconds in series.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
