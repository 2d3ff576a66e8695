using System.Globalization;
using Spectre.Console;

namespace Polymath.Training;

/// <summary>How the trainer shows progress.</summary>
public enum ProgressMode
{
    /// <summary>Progress bars when standard error is a terminal that understands ANSI, plain lines otherwise.</summary>
    Auto,

    /// <summary>Spectre.Console progress bars.</summary>
    Bars,

    /// <summary>Plain text lines (for logs and redirected output).</summary>
    Plain,

    /// <summary>Nothing.</summary>
    None,
}

/// <summary>Receives the trainer's progress; implementations draw bars or print lines.</summary>
internal interface IProgressSink
{
    void BeginEpoch(int epoch, int epochs, int batches, int startBatch);

    void Batch(int batch, long step, double loss);

    void EndEpoch(EpochRecord record);

    void Message(string text);
}

internal sealed class NullProgress : IProgressSink
{
    public void BeginEpoch(int epoch, int epochs, int batches, int startBatch) { }

    public void Batch(int batch, long step, double loss) { }

    public void EndEpoch(EpochRecord record) { }

    public void Message(string text) { }
}

/// <summary>Plain lines: one every <c>every</c> batches and one per epoch.</summary>
internal sealed class PlainProgress(TextWriter writer, int every) : IProgressSink
{
    private int _epoch, _epochs, _batches;
    private DateTime _start;

    public void BeginEpoch(int epoch, int epochs, int batches, int startBatch)
    {
        (_epoch, _epochs, _batches, _start) = (epoch, epochs, batches, DateTime.UtcNow);
        if (startBatch > 0)
            writer.WriteLine($"epoch {epoch}/{epochs}: resuming at batch {startBatch}/{batches}");
    }

    public void Batch(int batch, long step, double loss)
    {
        if (every > 0 && (batch % every == 0 || batch == _batches))
        {
            double s = (DateTime.UtcNow - _start).TotalSeconds;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {_epoch}/{_epochs} batch {batch}/{_batches} step {step} loss {loss:F4} ({s:F1} s)"));
        }
    }

    public void EndEpoch(EpochRecord record) => writer.WriteLine(Trainer.Summary(record));

    public void Message(string text) => writer.WriteLine(text);
}

/// <summary>A Spectre.Console progress bar per epoch; the finished bars stay with their summary.</summary>
internal sealed class BarProgress(ProgressContext context) : IProgressSink
{
    private ProgressTask? _task;
    private int _epoch, _epochs;

    public void BeginEpoch(int epoch, int epochs, int batches, int startBatch)
    {
        (_epoch, _epochs) = (epoch, epochs);
        _task = context.AddTask(Markup.Escape($"epoch {epoch}/{epochs}"), maxValue: batches);
        _task.Value = startBatch;
    }

    public void Batch(int batch, long step, double loss)
    {
        if (_task is null) return;
        _task.Value = batch;
        if (batch % 10 == 0)
            _task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"epoch {_epoch}/{_epochs} loss {loss:F4}"));
    }

    public void EndEpoch(EpochRecord record)
    {
        if (_task is null) return;
        _task.Description = Markup.Escape(Trainer.Summary(record));
        _task.Value = _task.MaxValue;
        _task.StopTask();
    }

    public void Message(string text)
    {
        var t = context.AddTask(Markup.Escape(text), maxValue: 1);
        t.Value = 1;
        t.StopTask();
    }
}
