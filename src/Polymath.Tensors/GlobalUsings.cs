global using Polymath.Kernels;
// Kernel loops carry [MethodImpl(AggressiveOptimization)]: they run a few times per op, too rarely for
// tiered compilation to promote them quickly, and tier-0 kernels were up to 15x slower.
global using System.Runtime.CompilerServices;
