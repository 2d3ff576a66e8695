using System.Text;
using Polymath.Hub.Csv;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Row-level CSV diff by key column, and the RFC 4180 reader under it.</summary>
public sealed class CsvDiffTests
{
    private static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Counts_added_removed_changed_and_unchanged_rows_by_key()
    {
        var old = Csv("id,temperature,energy\n1,1.5,-2.0\n2,2.0,-1.5\n3,2.5,-1.0\n");
        var @new = Csv("id,temperature,energy\r\n1,1.5,-2.0\r\n3,2.5,-0.9\r\n4,3.0,-0.5\r\n5,3.5,-0.2\r\n");
        var d = CsvRowDiff.Compute(old, @new, "id");
        Assert.Equal((2L, 1L, 1L, 1L), (d.Added, d.Removed, d.Changed, d.Unchanged));
        Assert.Equal(["4", "5"], d.AddedKeys);
        Assert.Equal(["2"], d.RemovedKeys);
        Assert.Equal(["3"], d.ChangedKeys);
    }

    [Fact]
    public void Reordered_columns_alone_are_not_a_change()
    {
        var d = CsvRowDiff.Compute(Csv("id,a,b\n1,x,y\n"), Csv("b,id,a\ny,1,x\n"), "id");
        Assert.Equal((0L, 0L, 0L, 1L), (d.Added, d.Removed, d.Changed, d.Unchanged));
    }

    [Fact]
    public void Quoted_fields_with_commas_quotes_and_newlines_are_read_whole()
    {
        var reader = new CsvReader(new StringReader("a,\"b,1\",\"say \"\"hi\"\"\",\"two\nlines\"\nz,y,x,w\n"));
        Assert.Equal(["a", "b,1", "say \"hi\"", "two\nlines"], reader.Read());
        Assert.Equal(["z", "y", "x", "w"], reader.Read());
        Assert.Equal(3, reader.RecordLine);
        Assert.Null(reader.Read());
    }

    [Fact]
    public void A_missing_key_column_and_a_repeated_key_are_reported_with_where()
    {
        var e1 = Assert.Throws<FormatException>(() => CsvRowDiff.Compute(Csv("a,b\n1,2\n"), Csv("a,b\n1,2\n"), "id"));
        Assert.Contains("no column 'id'", e1.Message);
        var e2 = Assert.Throws<FormatException>(() => CsvRowDiff.Compute(Csv("id\n1\n1\n"), Csv("id\n1\n"), "id"));
        Assert.Contains("line 3", e2.Message);
    }

    [Fact]
    public void An_unclosed_quote_is_reported_with_its_line()
    {
        var r = new CsvReader(new StringReader("a\n\"open\n"));
        Assert.Equal(["a"], r.Read());
        Assert.Contains("line 2", Assert.Throws<FormatException>(() => r.Read()).Message);
    }
}
