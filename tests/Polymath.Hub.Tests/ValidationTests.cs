using Polymath.Hub.Api;
using Polymath.Hub.Client;
using Polymath.Hub.Model;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Path and name rules, and hub:// addresses.</summary>
public sealed class ValidationTests
{
    [Theory]
    [InlineData("../secret.csv", "'..'")]
    [InlineData("data/../../x", "'..'")]
    [InlineData("./a", "'.'")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("C:/Windows/x", "drive letter")]
    [InlineData("data\\x.csv", "backslash")]
    [InlineData("a\0b", "NUL")]
    [InlineData("CON", "device name")]
    [InlineData("data/nul.txt", "device name")]
    [InlineData("data/COM1.csv", "device name")]
    [InlineData("lpt9", "device name")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "empty segment")]
    [InlineData("a./b", "ends with a dot")]
    [InlineData("a\u0001b", "control character")]
    [InlineData("what?.csv", "< > :")]
    public void Bad_paths_are_refused_with_the_rule_they_break(string path, string expected)
    {
        var e = Assert.Throws<HubException>(() => RepoPath.Check(path));
        Assert.Equal(400, e.Status);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("data.csv")]
    [InlineData("data/train/part-0001.csv")]
    [InlineData("résultats/été 2024.csv")]
    [InlineData("console.log")]
    [InlineData(".hidden/x")]
    public void Good_paths_pass(string path) => Assert.Equal(path, RepoPath.Check(path));

    [Theory]
    [InlineData("Alice", "lower-case")]
    [InlineData("-x", "start with")]
    [InlineData("a b", "may hold only")]
    [InlineData("a..b", "'..'")]
    public void Bad_account_names_are_refused(string name, string expected) =>
        Assert.Contains(expected, Assert.Throws<HubException>(() => Names.Account(name, "user name")).Message);

    [Fact]
    public void A_lone_surrogate_is_refused() // not an [InlineData] case: attribute strings are stored as UTF-8, which cannot hold it
    {
        string path = "a" + (char)0xD800 + "b";
        Assert.Contains("lone surrogate", Assert.Throws<HubException>(() => RepoPath.Check(path)).Message);
    }

    [Fact]
    public void Path_longer_than_the_limit_is_refused() =>
        Assert.Contains("longer than", Assert.Throws<HubException>(() => RepoPath.Check(new string('a', RepoPath.MaxBytes + 1))).Message);

    [Theory]
    [InlineData("hub://physics/ising", "physics", "ising", null, "")]
    [InlineData("hub://physics/ising@v1", "physics", "ising", "v1", "")]
    [InlineData("hub://physics/ising@main/data/train.csv", "physics", "ising", "main", "data/train.csv")]
    [InlineData("hub://physics/ising/data/", "physics", "ising", null, "data")]
    public void Hub_addresses_parse(string text, string owner, string name, string? rev, string path)
    {
        var a = HubAddress.Parse(text);
        Assert.Equal((owner, name, rev, path), (a.Owner, a.Name, a.Revision, a.Path));
    }

    [Theory]
    [InlineData("http://x/y")]
    [InlineData("hub://owner")]
    [InlineData("hub://owner/")]
    [InlineData("hub://o/n@/p")]
    public void Bad_hub_addresses_are_refused(string text) => Assert.Throws<FormatException>(() => HubAddress.Parse(text));
}
