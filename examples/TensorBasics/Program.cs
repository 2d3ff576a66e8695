// The snippets of README.md and docs/tensors.md as one program, so CI compiles (and can run) them.
// Run: dotnet run --project examples/TensorBasics -c Release
using Polymath;

// README: fit y = x·[1, -2, 0.5] by gradient descent on the weights.
Polymath.Random.Seed(0);
var w = Tensor.Randn(3, 1).RequiresGrad_();
var x = Tensor.Randn(64, 3);
var y = x.MatMul(Tensor.From(new float[] { 1, -2, 0.5f }, 3, 1));
double first = 0, last = 0;
for (int step = 0; step < 100; step++)
{
    var loss = (x.MatMul(w) - y).Square().Mean();
    if (step == 0) first = loss.Item();
    last = loss.Item();
    w.ZeroGrad();
    loss.Backward();
    using (Tensor.NoGrad())
        w.SubInPlace(w.Grad! * 0.1);
}
Console.WriteLine($"linear regression: loss {first:F4} -> {last:F6}, w = {w.Reshape(-1)}");

// docs/tensors.md: a convolution, ReLU and max pooling, differentiated with respect to the kernel.
Polymath.Random.Seed(42);
var images = Tensor.Randn(8, 3, 28, 28);
var kernel = Tensor.Randn(6, 3, 5, 5).RequiresGrad_();
var features = Functional.Conv2d(images, kernel, padding: 2).Relu();
var objective = Functional.MaxPool2d(features, 2).Mean();
objective.Backward();
Console.WriteLine($"conv: features {string.Join("x", features.Shape)}, objective {objective.Item():F4}, |grad| {kernel.Grad!.Norm().Item():F4}");

// Views, broadcasting and indexing share memory until a copy is asked for.
var grid = Tensor.Arange(12, DType.Float32).Reshape(3, 4);
var column = grid[.., 1];
var everyOther = grid[TensorIndex.Slice(0, null, 2), TensorIndex.NewAxis];
Console.WriteLine($"grid[:, 1] = {column}, grid[::2, None] has shape [{string.Join(",", everyOther.Shape)}]");
Console.WriteLine($"einsum('ij,j->i') = {Tensor.Einsum("ij,j->i", grid, Tensor.Ones(4))}");
