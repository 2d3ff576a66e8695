using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Labels on files and records, label sets, the labelling to-do list and agreement between annotators.</summary>
public abstract class AnnotationTests(string backend) : HubTestBase(backend)
{
    [BackendFact]
    public async Task Annotators_label_items_from_a_label_set_and_agreement_is_reported()
    {
        await Admin.CreateRepoAsync("phases");
        string commit = await CommitTextAsync(Admin, "admin", "phases", "main",
            ("img/0.txt", "a"), ("img/1.txt", "b"), ("img/2.txt", "c"), ("img/3.txt", "d"), ("readme.md", "r"));
        await Admin.SetLabelSetAsync("admin", "phases", "phase", ["ordered", "disordered"]);
        var anna = Client(await UserAsync("anna"));
        var ben = Client(await UserAsync("ben"));
        await Admin.GrantAsync("admin", "phases", "anna", null, "contributor");
        await Admin.GrantAsync("admin", "phases", "ben", null, "contributor");

        string[] annaLabels = ["ordered", "ordered", "disordered", "disordered"];
        string[] benLabels = ["ordered", "disordered", "disordered", "disordered"];
        for (int i = 0; i < 4; i++)
        {
            await anna.AnnotateAsync("admin", "phases", null, $"img/{i}.txt", "phase", annaLabels[i], labelSet: "phase");
            if (i < 3)
                await ben.AnnotateAsync("admin", "phases", commit, $"img/{i}.txt", "phase", benLabels[i], labelSet: "phase");
        }
        var todo = await ben.LabelTodoAsync("admin", "phases", "phase", path: "img");
        Assert.Equal(["img/3.txt"], todo["todo"]!.AsArray().Select(n => n!.GetValue<string>()));
        await ben.AnnotateAsync("admin", "phases", null, "img/3.txt", "phase", benLabels[3], labelSet: "phase");

        var bad = await Assert.ThrowsAsync<Polymath.Hub.Client.HubApiException>(() => ben.AnnotateAsync("admin", "phases", null, "img/0.txt", "phase", "liquid", labelSet: "phase"));
        Assert.Equal(400, bad.Status);
        Assert.Contains("not a label of set 'phase'", bad.Detail);

        var report = await Admin.AgreementAsync("admin", "phases", "phase");
        Assert.Equal(4, report["items"]!.GetValue<int>());
        var pair = report["pairs"]![0]!;
        Assert.Equal(0.75, pair["agreement"]!.GetValue<double>(), 6);
        // 2x2 table: anna ordered/ben ordered 1, ordered/disordered 1, disordered/disordered 2: p_o = 0.75, p_e = 0.5*0.25 + 0.5*0.75 = 0.5.
        Assert.Equal(0.5, pair["cohensKappa"]!.GetValue<double>(), 6);

        var all = await Admin.AnnotationsAsync("admin", "phases", rev: commit, path: "img/0.txt");
        Assert.Equal(2, all.Count);
        Assert.All(all, a => Assert.Equal(commit, a.Commit));
        Assert.Contains(all, a => a.Author == "anna");

        var record = await anna.AnnotateAsync("admin", "phases", null, "readme.md", "quality", "checked", record: "line-1");
        Assert.Equal("line-1", record.Record);
        var reader = Client(await UserAsync("rob"));
        await Admin.GrantAsync("admin", "phases", "rob", null, "reader");
        Assert.Equal(403, (await Assert.ThrowsAsync<Polymath.Hub.Client.HubApiException>(() => reader.AnnotateAsync("admin", "phases", null, "readme.md", "k", "v"))).Status);
    }
}

/// <summary>Annotations on SQLite.</summary>
public sealed class AnnotationSqliteTests() : AnnotationTests("sqlite");

/// <summary>Annotations on PostgreSQL.</summary>
public sealed class AnnotationPostgresTests() : AnnotationTests("postgresql"), IPostgresBackend;
