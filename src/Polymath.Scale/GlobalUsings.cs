global using Polymath;
global using Polymath.NN;
global using Polymath.NN.Optim;
