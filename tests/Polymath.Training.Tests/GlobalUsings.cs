global using Polymath;
global using Polymath.Data;
global using Polymath.NN;
global using Polymath.NN.Optim;
global using Polymath.Training;
global using Xunit;
