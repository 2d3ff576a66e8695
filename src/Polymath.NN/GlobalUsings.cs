global using Polymath;
