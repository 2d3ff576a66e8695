using Polymath.Data;
using Polymath.Hub.Client;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>A dataset version addressed as hub://owner/name@rev/path feeds Polymath.Data's CSV reader and DataLoader.</summary>
public sealed class DataLoaderTests() : HubTestBase("sqlite")
{
    [Fact]
    public async Task A_pinned_hub_version_is_cached_by_hash_and_read_by_the_data_loader()
    {
        await Admin.CreateRepoAsync("ising");
        var rows = string.Join("", Enumerable.Range(0, 40).Select(i => $"{i * 0.1:F1},{(i % 4) * 0.5:F1},{(i < 20 ? "ordered" : "disordered")}\n"));
        await CommitTextAsync(Admin, "admin", "ising", "main", ("data/train.csv", "temperature,field,phase\n" + rows));
        await Admin.TagAsync("admin", "ising", "v1");
        await CommitTextAsync(Admin, "admin", "ising", "main", ("data/train.csv", "temperature,field,phase\n0.0,0.0,ordered\n"));

        string path = await Admin.LocalPathAsync("hub://admin/ising@v1/data/train.csv");
        var file = (await Admin.TreeAsync("admin", "ising", "v1")).Files.Single();
        Assert.Equal(BlobCache.PathOf(Admin.CacheDir, file.Sha256), path);
        Assert.Equal(path, await Admin.LocalPathAsync("hub://admin/ising@v1/data/train.csv"));

        var schema = new CsvSchema([CsvColumn.Numeric("temperature"), CsvColumn.Numeric("field"), CsvColumn.Categorical("phase", ["ordered", "disordered"])]);
        var table = Polymath.Data.Csv.Read(path, schema);
        Assert.Equal(40, table.RowCount);
        var loader = DataLoader.Create(table.ToDataset(["temperature", "field"], "phase"), batchSize: 16, shuffle: false, seed: 0);
        int seen = 0;
        long disordered = 0;
        foreach ((Polymath.Tensor x, Polymath.Tensor y) in loader)
        {
            Assert.Equal(2, x.Shape[1]);
            seen += (int)x.Shape[0];
            disordered += y.ToArray<long>().Sum();
        }
        Assert.Equal(40, seen);
        Assert.Equal(20, disordered);

        await Assert.ThrowsAsync<FormatException>(() => Admin.LocalPathAsync("hub://admin/ising@v1"));
        Assert.Equal(404, (await Assert.ThrowsAsync<HubApiException>(() => Admin.LocalPathAsync("hub://admin/ising@v1/data/none.csv"))).Status);
    }
}
