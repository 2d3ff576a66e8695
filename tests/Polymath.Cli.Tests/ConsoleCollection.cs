using Xunit;

namespace Polymath.Cli.Tests;

/// <summary>Tests that redirect the process-wide console run alone.</summary>
[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection
{
}
