// Kernels stackalloc small scratch arrays per run; they are always written before being read.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
