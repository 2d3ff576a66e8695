using System.Runtime.InteropServices;

namespace Polymath.Scale.Distributed;

/// <summary>
/// Open MPI's C API, loaded at run time (Debian's <c>libopenmpi3</c>: <c>libmpi.so.40</c>). Open MPI's handles
/// (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, ...) are the addresses of global structs
/// (<c>ompi_mpi_comm_world</c>, ...), so they are looked up as exported symbols and passed as pointers.
/// </summary>
internal sealed unsafe class MpiNative
{
    public const int ThreadFunneled = 1, ThreadSerialized = 2;
    public const int Success = 0;
    private const int RtldNow = 2, RtldGlobal = 0x100;

    private static readonly Lazy<(MpiNative? Lib, string Error)> Shared = new(LoadCore);

    public readonly delegate* unmanaged<int*, nint, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<nint, int, int> Abort;
    public readonly delegate* unmanaged<nint, int*, int> CommRank;
    public readonly delegate* unmanaged<nint, int*, int> CommSize;
    public readonly delegate* unmanaged<nint, nint, int> CommSetErrhandler;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> Allreduce;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, int> Bcast;
    public readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> Allgather;
    public readonly delegate* unmanaged<nint, int> Barrier;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> Iallreduce;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, nint*, int> Ibcast;
    public readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int> Iallgather;
    public readonly delegate* unmanaged<nint, nint*, int> Ibarrier;
    public readonly delegate* unmanaged<nint*, int*, void*, int> Test;
    public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;
    public readonly delegate* unmanaged<byte*, int*, int> GetLibraryVersion;

    public readonly nint CommWorld, Float, Double, Int, LongLong, UnsignedChar, OpSum, OpMax, OpMin, ErrorsReturn;

    /// <summary>The path or name that was loaded.</summary>
    public string LibraryName { get; }

    private MpiNative(nint lib, string name)
    {
        LibraryName = name;
        nint F(string symbol) => NativeLibrary.TryGetExport(lib, symbol, out var p) ? p
            : throw new EntryPointNotFoundException($"MPI: {name} does not export {symbol}; is it Open MPI (these handles are Open MPI's)?");
        InitThread = (delegate* unmanaged<int*, nint, int, int*, int>)F("MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)F("MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)F("MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)F("MPI_Finalize");
        Abort = (delegate* unmanaged<nint, int, int>)F("MPI_Abort");
        CommRank = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)F("MPI_Comm_size");
        CommSetErrhandler = (delegate* unmanaged<nint, nint, int>)F("MPI_Comm_set_errhandler");
        Allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)F("MPI_Allreduce");
        Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)F("MPI_Bcast");
        Allgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)F("MPI_Allgather");
        Barrier = (delegate* unmanaged<nint, int>)F("MPI_Barrier");
        Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)F("MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)F("MPI_Ibcast");
        Iallgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int>)F("MPI_Iallgather");
        Ibarrier = (delegate* unmanaged<nint, nint*, int>)F("MPI_Ibarrier");
        Test = (delegate* unmanaged<nint*, int*, void*, int>)F("MPI_Test");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)F("MPI_Error_string");
        GetLibraryVersion = (delegate* unmanaged<byte*, int*, int>)F("MPI_Get_library_version");
        CommWorld = F("ompi_mpi_comm_world");
        Float = F("ompi_mpi_float");
        Double = F("ompi_mpi_double");
        Int = F("ompi_mpi_int");
        LongLong = F("ompi_mpi_long_long_int");
        UnsignedChar = F("ompi_mpi_unsigned_char");
        OpSum = F("ompi_mpi_op_sum");
        OpMax = F("ompi_mpi_op_max");
        OpMin = F("ompi_mpi_op_min");
        ErrorsReturn = F("ompi_mpi_errors_return");
    }

    /// <summary>The loaded library, or null with the reason it could not be loaded.</summary>
    public static (MpiNative? Lib, string Error) Load() => Shared.Value;

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    private static extern nint DlOpen(string file, int flags);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    private static extern nint DlError();

    private static (MpiNative?, string) LoadCore()
    {
        if (!OperatingSystem.IsLinux())
            return (null, "the MPI transport is implemented for Linux (Open MPI's libmpi.so.40)");
        string? custom = Environment.GetEnvironmentVariable("POLYMATH_MPI_LIBRARY");
        string[] names = custom is { Length: > 0 } ? [custom] : ["libmpi.so.40", "libmpi.so"];
        var errors = new List<string>();
        foreach (var name in names)
        {
            // RTLD_GLOBAL: Open MPI's plugins (mca_*.so) resolve libmpi's symbols globally; with .NET's default
            // RTLD_LOCAL they fail to load and MPI_Init aborts.
            nint h;
            try
            {
                h = DlOpen(name, RtldNow | RtldGlobal);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                h = 0;
            }
            if (h == 0)
            {
                string why = "not found";
                try
                {
                    nint err = DlError();
                    if (err != 0) why = Marshal.PtrToStringUTF8(err) ?? why;
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                }
                errors.Add($"{name}: {why}");
                continue;
            }
            try
            {
                return (new MpiNative(h, name), "");
            }
            catch (EntryPointNotFoundException e)
            {
                errors.Add(e.Message);
            }
        }
        return (null, "could not load Open MPI (" + string.Join("; ", errors) + "); install Debian's openmpi-bin and libopenmpi-dev, or set POLYMATH_MPI_LIBRARY");
    }

    /// <summary>Open MPI's text for an error code.</summary>
    public string Message(int code)
    {
        var buf = stackalloc byte[512];
        int len = 0;
        if (ErrorString(code, buf, &len) != Success)
            return $"MPI error {code}";
        return $"MPI error {code}: " + System.Text.Encoding.UTF8.GetString(buf, len);
    }

    /// <summary>The library's version line, e.g. "Open MPI v4.1.4, package: Debian OpenMPI ...".</summary>
    public string Version()
    {
        var buf = stackalloc byte[8192];
        int len = 0;
        if (GetLibraryVersion(buf, &len) != Success)
            return "unknown version";
        string s = System.Text.Encoding.UTF8.GetString(buf, len);
        int comma = s.IndexOf(',');
        return (comma > 0 ? s[..comma] : s).Trim();
    }
}
