global using Polymath;
global using Polymath.Data;
global using Polymath.Models.Gpt;
global using Polymath.NN;
global using Xunit;
