using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Polymath.Hub.Tests;

/// <summary>
/// A fact that runs once per database backend: classes implementing <see cref="IPostgresBackend"/> are reported as
/// skipped, with the reason, when <c>POLYMATH_HUB_TEST_PG</c> is not set (CI sets it and starts PostgreSQL).
/// </summary>
[XunitTestCaseDiscoverer("Polymath.Hub.Tests.BackendFactDiscoverer", "Polymath.Hub.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class BackendFactAttribute : FactAttribute;

/// <summary>Marks test classes that run against PostgreSQL.</summary>
public interface IPostgresBackend;

/// <summary>Marks test classes that drive a real headless Chromium.</summary>
public interface IBrowserTests;

/// <summary>Creates a skipped test case for PostgreSQL classes when no server is configured, and for browser classes without Chromium.</summary>
public sealed class BackendFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    /// <summary>One test case: runnable, or skipped with the reason.</summary>
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var type = testMethod.TestClass.Class.ToRuntimeType();
        if (typeof(IPostgresBackend).IsAssignableFrom(type) && TestBackend.PostgresConnection is null)
        {
            yield return new XunitSkippedDataRowTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod,
                $"PostgreSQL tests need {TestBackend.PostgresVariable} (a connection string; scripts/start-postgres.sh prints one).");
            yield break;
        }
        if (typeof(IBrowserTests).IsAssignableFrom(type) && BrowserSession.SkipReason is { } reason)
        {
            yield return new XunitSkippedDataRowTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, reason);
            yield break;
        }
        yield return new XunitTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod);
    }
}
