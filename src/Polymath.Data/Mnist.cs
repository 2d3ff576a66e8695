namespace Polymath.Data;

/// <summary>
/// An MNIST-style image data set read from the four gzipped IDX files (train/t10k × images/labels).
/// Items are (image float32 [1, 28, 28], label int64 []); see <see cref="Mnist"/> and <see cref="FashionMnist"/>.
/// </summary>
public abstract class MnistLike : Dataset<(Tensor Image, Tensor Label)>
{
    private readonly Func<Tensor, Tensor>? _transform;
    private readonly byte[] _raw;
    private readonly float[] _images;
    private readonly long[] _labels;

    /// <summary>Loads the split from <paramref name="root"/> (the folder holding the .gz or uncompressed files).</summary>
    /// <param name="name">Data set name for messages.</param>
    /// <param name="files">The four files, in the order train images, train labels, test images, test labels.</param>
    /// <param name="root">The folder.</param>
    /// <param name="train">Training split (60,000 images) or test split (10,000).</param>
    /// <param name="scale">Scale pixels to [0, 1]; false keeps 0..255 as float32.</param>
    /// <param name="transform">Applied to each image tensor when an item is read.</param>
    /// <param name="verifyChecksums">Also check each file's SHA-256 (reads the files twice).</param>
    /// <exception cref="FileNotFoundException">Files are missing; the message lists them and how to get them.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, has the wrong checksum, or images and labels disagree.</exception>
    protected MnistLike(string name, IReadOnlyList<RemoteFile> files, string root, bool train, bool scale, Func<Tensor, Tensor>? transform, bool verifyChecksums)
    {
        var mine = train ? new[] { files[0], files[1] } : new[] { files[2], files[3] };
        string Resolve(RemoteFile f)
        {
            string gz = Path.Combine(root, f.FileName);
            string plain = gz.EndsWith(".gz", StringComparison.Ordinal) ? gz[..^3] : gz;
            return File.Exists(gz) ? gz : File.Exists(plain) ? plain : gz;
        }
        var missing = mine.Where(f => !File.Exists(Resolve(f))).ToList();
        if (missing.Count > 0)
            Downloader.RequireFiles(name, root, missing, $"{GetType().Name}.DownloadAsync(\"{root}\")");
        if (verifyChecksums)
            foreach (var f in mine)
            {
                string path = Resolve(f);
                if (path.EndsWith(".gz", StringComparison.Ordinal) && Downloader.Sha256Of(path) is var sha && sha != f.Sha256)
                    throw new InvalidDataException($"{path}: SHA-256 {sha}, expected {f.Sha256}; the file is damaged or not the official one.");
            }
        string imagesPath = Resolve(mine[0]), labelsPath = Resolve(mine[1]);
        var images = Idx.Read(imagesPath);
        var labels = Idx.Read(labelsPath);
        if (images.Type != IdxType.UByte || images.Shape.Count != 3)
            throw new InvalidDataException($"{imagesPath}: expected unsigned bytes of shape [N, rows, cols], got {images.Type} [{string.Join(",", images.Shape)}].");
        if (labels.Type != IdxType.UByte || labels.Shape.Count != 1)
            throw new InvalidDataException($"{labelsPath}: expected unsigned bytes of shape [N], got {labels.Type} [{string.Join(",", labels.Shape)}].");
        if (images.Shape[0] != labels.Shape[0])
            throw new InvalidDataException($"{name}: {imagesPath} holds {images.Shape[0]} images but {labelsPath} holds {labels.Shape[0]} labels.");
        Height = images.Shape[1];
        Width = images.Shape[2];
        _raw = images.Bytes!;
        _images = new float[_raw.Length];
        float k = scale ? 1f / 255f : 1f;
        for (int i = 0; i < _raw.Length; i++) _images[i] = _raw[i] * k;
        _labels = new long[labels.Shape[0]];
        for (int i = 0; i < _labels.Length; i++) _labels[i] = labels.Bytes![i];
        Images = Tensor.Wrap(_images, _labels.Length, 1, Height, Width);
        Labels = Tensor.From(_labels, _labels.Length);
        _transform = transform;
    }

    /// <summary>Image height in pixels (28).</summary>
    public int Height { get; }

    /// <summary>Image width in pixels (28).</summary>
    public int Width { get; }

    /// <summary>All images as float32 [N, 1, H, W] (untransformed).</summary>
    public Tensor Images { get; }

    /// <summary>All labels as int64 [N].</summary>
    public Tensor Labels { get; }

    /// <summary>The pixels as stored, uint8, N × H × W row-major (the engine has no uint8 dtype).</summary>
    public ReadOnlyMemory<byte> RawImages => _raw;

    /// <inheritdoc/>
    public override int Count => _labels.Length;

    /// <summary>Image i (float32 [1, H, W], transformed) and its label (int64 []).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    public override (Tensor Image, Tensor Label) this[int index]
    {
        get
        {
            CheckIndex(index);
            var image = Images.Select(0, index);
            return (_transform is null ? image : _transform(image), Labels.Select(0, index));
        }
    }

    /// <summary>The label of item <paramref name="index"/> without building tensors.</summary>
    public long Label(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <summary>Downloads and verifies <paramref name="files"/> into <paramref name="root"/>.</summary>
    protected static async Task DownloadFilesAsync(IEnumerable<RemoteFile> files, string root, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        foreach (var f in files)
            await Downloader.EnsureAsync(f, root, progress, cancellationToken);
    }
}

/// <summary>
/// MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 training and 10,000 test images, 28×28, labels 0–9.
/// </summary>
public sealed class Mnist : MnistLike
{
    private static readonly string[] Mirrors =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ];

    /// <summary>The four official files with their SHA-256 checksums and mirrors.</summary>
    public static IReadOnlyList<RemoteFile> Files { get; } =
    [
        new("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", Mirrors.Select(m => m + "train-images-idx3-ubyte.gz").ToArray()),
        new("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", Mirrors.Select(m => m + "train-labels-idx1-ubyte.gz").ToArray()),
        new("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", Mirrors.Select(m => m + "t10k-images-idx3-ubyte.gz").ToArray()),
        new("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", Mirrors.Select(m => m + "t10k-labels-idx1-ubyte.gz").ToArray()),
    ];

    /// <summary>Loads MNIST from a local folder.</summary>
    /// <param name="root">The folder holding the four files (gzipped or not).</param>
    /// <param name="train">Training split (60,000) or test split (10,000).</param>
    /// <param name="scale">Scale pixels to [0, 1]; false keeps 0..255.</param>
    /// <param name="transform">Applied to each image when an item is read.</param>
    /// <param name="verifyChecksums">Also check each .gz file's SHA-256.</param>
    /// <exception cref="FileNotFoundException">Files are missing; the message lists them and how to get them.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or has the wrong checksum.</exception>
    public Mnist(string root, bool train = true, bool scale = true, Func<Tensor, Tensor>? transform = null, bool verifyChecksums = false)
        : base("MNIST", Files, root, train, scale, transform, verifyChecksums)
    {
    }

    /// <summary>Downloads the four files into <paramref name="root"/>, verifying each checksum (files already there and correct are kept).</summary>
    /// <exception cref="IOException">A file could not be downloaded from any mirror with the right checksum.</exception>
    public static Task DownloadAsync(string root, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadFilesAsync(Files, root, progress, cancellationToken);
}

/// <summary>
/// Fashion-MNIST (Xiao, Rasul, Vollgraf; Zalando Research): 60,000 training and 10,000 test images of clothing,
/// 28×28, 10 classes, a drop-in replacement for MNIST.
/// </summary>
public sealed class FashionMnist : MnistLike
{
    private static readonly string[] Mirrors =
    [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ];

    /// <summary>Class names by label.</summary>
    public static IReadOnlyList<string> Classes { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The four official files with their SHA-256 checksums and mirrors.</summary>
    public static IReadOnlyList<RemoteFile> Files { get; } =
    [
        new("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", Mirrors.Select(m => m + "train-images-idx3-ubyte.gz").ToArray()),
        new("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", Mirrors.Select(m => m + "train-labels-idx1-ubyte.gz").ToArray()),
        new("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", Mirrors.Select(m => m + "t10k-images-idx3-ubyte.gz").ToArray()),
        new("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", Mirrors.Select(m => m + "t10k-labels-idx1-ubyte.gz").ToArray()),
    ];

    /// <summary>Loads Fashion-MNIST from a local folder.</summary>
    /// <param name="root">The folder holding the four files (gzipped or not).</param>
    /// <param name="train">Training split (60,000) or test split (10,000).</param>
    /// <param name="scale">Scale pixels to [0, 1]; false keeps 0..255.</param>
    /// <param name="transform">Applied to each image when an item is read.</param>
    /// <param name="verifyChecksums">Also check each .gz file's SHA-256.</param>
    /// <exception cref="FileNotFoundException">Files are missing; the message lists them and how to get them.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or has the wrong checksum.</exception>
    public FashionMnist(string root, bool train = true, bool scale = true, Func<Tensor, Tensor>? transform = null, bool verifyChecksums = false)
        : base("Fashion-MNIST", Files, root, train, scale, transform, verifyChecksums)
    {
    }

    /// <summary>Downloads the four files into <paramref name="root"/>, verifying each checksum (files already there and correct are kept).</summary>
    /// <exception cref="IOException">A file could not be downloaded from any mirror with the right checksum.</exception>
    public static Task DownloadAsync(string root, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadFilesAsync(Files, root, progress, cancellationToken);
}
