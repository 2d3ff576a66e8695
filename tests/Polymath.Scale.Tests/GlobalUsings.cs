global using Polymath;
global using Polymath.Data;
global using Polymath.NN;
global using Polymath.Scale.Compression;
global using Xunit;
global using Polymath.NN.Optim;
