global using Polymath.Kernels;
