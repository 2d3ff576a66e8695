global using Polymath;
global using Polymath.NN;
