namespace Polymath.Cli;

internal static class Help
{
    public static void Top()
    {
        Console.WriteLine($"""
            polymath {Program.Version} - Polymath, a deep-learning engine written from scratch in C#

            Usage: polymath [command] [options]

            Commands:
              demo     (default) the main job: simulate the 2D Ising model, publish the data to an embedded
                       hub, learn the phase transition with a neural network, report T_c (demo mlp: tiny MLP)
              train    train a model (mlp, lenet5, resnet, lstm) on MNIST or Fashion-MNIST;
                       with no options: LeNet-5 on MNIST for 5 epochs from ../shared/data/mnist
              pretrain pretrain a GPT language model on a text file (char-level or byte-level BPE)
              generate continue a prompt with a GPT checkpoint (or a Hugging Face GPT-2 model.safetensors)
              bench    time Polymath's kernels against PyTorch (and C OpenBLAS) in the same run
              eval     evaluate a checkpoint: accuracy, precision/recall/F1, confusion matrix
              predict  classify images with a checkpoint
              quantum  simulate quantum circuits: run OpenQASM files, Grover, Shor, Hamiltonian evolution
              hub      run a data-sharing hub, or push, pull, tag, diff and share versioned datasets on one
              learn    classical ML on CSV tables: learn fit, learn predict, learn models (SVM, forests, ...)
              help     show help for a command: polymath help bench

            Options:
              -h, --help   show this help
              --version    print the version

            Exit codes: 0 success, 1 failure, 2 bad command line, 130 cancelled (Ctrl-C).
            """);
    }

    public static bool Command(string name)
    {
        switch (name)
        {
            case "demo":
                Console.WriteLine("""
                    Usage: polymath demo [--sizes L,L,...] [--temperatures MIN:MAX:COUNT] [--samples N] [--model dense|cnn]
                                         [--train-windows ORDERED_MAX:DISORDERED_MIN] [--epochs N] [--networks N]
                                         [--seed S] [--out DIR] [--threads N] [--progress auto|plain]
                           polymath demo mlp [--steps N] [--lr X] [--seed S] [--threads N]

                    Polymath's main job (also what 'polymath' with no arguments runs): learn the 2D Ising phase
                    transition from simulated data, end to end.
                      1. simulate Wolff Monte Carlo configurations for every (L, T), seeded, with progress bars;
                      2. publish them to a hub embedded in DIR/hub (SQLite, content-addressed blobs) as a versioned
                         dataset (tag v1, v2, ...) with a card, Croissant metadata and the generating parameters;
                      3. read that version back from the hub, train classifiers on T <= ORDERED_MAX (ordered) and
                         T >= DISORDERED_MIN (disordered) only, find where their mean output crosses 1/2 for each L
                         (bootstrap and network-spread errors) and extrapolate T*(L) = T_c + a/L;
                      4. write DIR/model/report.html (output vs T, crossings, extrapolation, energy, |m|, C, chi and
                         Binder cumulant with error bars), publish weights, results and report as a versioned model,
                         and print the estimate against the exact 2/ln(1+sqrt 2).
                    'polymath hub serve --data DIR/hub' serves what it published.

                    Options:
                      --sizes L,...           lattice sizes (default 8,12,16,24,32; 4 to 46340)
                      --temperatures A:B:N    N evenly spaced temperatures from A to B (default 1.5:3.5:41; A, B > 0)
                      --samples N             configurations per (L, T) (default 400)
                      --model NAME            cnn (default) or dense (fully connected, as Carrasquilla & Melko)
                      --train-windows A:B     ordered training window T <= A, disordered T >= B (default 1.9:2.7)
                      --epochs N              epochs per network (default 12; more when the data is small)
                      --networks N            independently initialised networks per size (default 4)
                      --seed S                seeds simulation, networks and bootstrap (default 2017)
                      --out DIR               run folder (default runs/ising-demo)
                      --threads N             Polymath threads (default: all cores)
                      --progress MODE         auto (bars on a terminal) or plain (lines)

                    Bad values (an unknown model, a temperature <= 0, an empty range, a lattice too large for
                    memory) are refused before anything is simulated or written.

                    'polymath demo mlp' is the first demo: a 2-16-1 tanh MLP fitted with Tensor ops and autograd.
                    """);
                return true;
            case "demo mlp":
                Console.WriteLine("""
                    Usage: polymath demo mlp [--steps N] [--lr X] [--seed S] [--threads N]

                    Fits a 2-16-1 tanh MLP to a synthetic regression set (y = sin(pi*x1) * x2 + 0.5*x1^2 on
                    256 points) by full-batch gradient descent written with Tensor ops and autograd; the SGD
                    update runs inside Tensor.NoGrad(). Deterministic for a given seed and thread count.

                    Options:
                      --steps N     gradient steps (default 3000)
                      --lr X        learning rate (default 0.2)
                      --seed S      random seed (default 42)
                      --threads N   Polymath threads (default: all cores)
                    """);
                return true;
            case "bench":
                Console.WriteLine("""
                    Usage: polymath bench [--filter PATTERN]... [--threads N] [--json] [--quick] [--no-peer] [--list]

                    Times Polymath ops and the same ops in PyTorch (/usr/bin/python3 with python3-torch; set
                    POLYMATH_PYTHON to use another Python) in one run, with the same shapes and thread count.
                    Each row: ours (median s/op), the peer's time, ratio = peer/ours (>1: Polymath faster),
                    and extra figures (GFLOP/s; GB/s and the fraction of the memory bandwidth measured in the
                    same run; C OpenBLAS time for GEMM from bench/gemm_c).

                    Options:
                      --filter PATTERN   only rows whose "group/name" contains PATTERN (or matches a glob with
                                         * and ?); repeatable, comma-separated lists allowed
                      --threads N        threads for Polymath and the peers (default: all cores)
                      --json             one JSON object per row (name, ours_s, peer_s, ratio, unit, extras)
                      --quick            fewer repetitions and only the smaller sizes (CI smoke test)
                      --no-peer          time Polymath only
                      --list             list the rows that would run, and exit

                    Groups: gemm, elementwise, reduction, overhead, conv, softmax, layernorm, matmul, training
                    (train_mlp, train_lenet, train_lstm: one Adam step vs torch_workloads.py, with peak_rss_mb;
                    train_gpt_char: the pretrain gpt step vs bench/peers/gpt_char.py), data (the MNIST loader;
                    tokenising Tiny Shakespeare by character and with a 1024-token BPE),
                    quantum (state-vector circuits at n = 20, 24, 26: times per circuit and per gate, and "passes":
                    the time in read+write sweeps of the state at the measured bandwidth).
                    """);
                return true;
            case "train":
                Console.WriteLine("""
                    Usage: polymath train [--model NAME] [--dataset NAME] [--data-dir DIR] [--epochs N] [options]

                    Trains a model on MNIST or Fashion-MNIST with cross-entropy, validating on the test split after
                    every epoch. Writes OUT/last.safetensors (every epoch and on Ctrl-C), OUT/best.safetensors (best
                    validation accuracy), OUT/run.jsonl (JSON Lines log) and OUT/report.html (loss and metric curves).
                    Deterministic for a given seed and thread count; --resume continues a run exactly.

                    Options (each may also be given in a YAML file with --config, e.g. "batch_size: 128"):
                      --model NAME         mlp (784-512-256-10), lenet5, resnet (small, batch norm), lstm (rows as
                                           time steps); default lenet5
                      --dataset NAME       mnist or fashion-mnist; default mnist
                      --data-dir DIR       folder with the four IDX files (.gz or not); default
                                           ../shared/data/<dataset> beside the repository root
                      --epochs N           total epochs, counting those of a resumed run (default 5)
                      --batch-size N       training batch size (default 64)
                      --lr X               learning rate (default 0.001)
                      --optimizer NAME     adam, adamw or sgd (momentum 0.9); default adam
                      --weight-decay X     L2 (adam, sgd) or decoupled (adamw, default 0.01) weight decay
                      --scheduler NAME     cosine (over the epochs; default), none, step (x0.1 every epochs/3), plateau
                      --accumulate N       micro-batches per optimizer step (gradient accumulation; default 1)
                      --early-stopping N   stop when val_loss has not improved for N epochs
                      --seed S             seed of the initialisation and the shuffle (default 42)
                      --threads N          Polymath threads (default: all cores)
                      --workers N          DataLoader worker threads (default 0)
                      --limit N            train on the first N training images only (quick runs)
                      --out DIR            output folder (default runs/<model>-<dataset>)
                      --resume CKPT        continue from a checkpoint (model, optimizer, scheduler, RNG, data order)
                      --config FILE        read options from a YAML mapping; the command line wins
                      --progress MODE      auto (bars on a terminal, lines otherwise), bars, plain, none
                      --log-every N        steps between log lines (default 100)
                      --precision P        fp32 (default), bf16 or fp16: mixed precision with autocast (matmul, linear
                                           and conv in 16 bits with float32 accumulation; softmax, norms and losses in
                                           float32; float32 master weights); fp16 adds a dynamic GradScaler

                    Exit codes: 0 trained, 1 failed (e.g. the loss became NaN: the step is named and the last good
                    checkpoint kept), 2 bad command line, 130 cancelled (after saving OUT/last.safetensors).
                    """);
                return true;
            case "pretrain":
                Console.WriteLine("""
                    Usage: polymath pretrain gpt [--data FILE] [--steps N] [model and training options]

                    Pretrains a decoder-only GPT (Hugging Face GPT-2 layout) on a UTF-8 text file: the first 90% of its
                    tokens train, the last 10% validate. Random windows of --context tokens form each batch; AdamW
                    (weight decay on matrices and embeddings only), linear warm-up then cosine decay, gradient-norm
                    clipping. Every --eval-every steps: train/validation loss on fixed windows, OUT/last.safetensors,
                    OUT/best.safetensors (best validation loss), OUT/report.html (curves, samples). OUT/run.jsonl logs
                    every event with the dataset's SHA-256, the seed and every option. Ctrl-C saves OUT/last.safetensors;
                    --resume continues exactly (same seed and thread count give the same numbers).

                    Options (each may also be given in a YAML file with --config):
                      --data FILE          training text (default ../shared/data/tinyshakespeare/input.txt)
                      --tokenizer NAME     char (default; one token per character) or bpe (byte-level BPE trained on the
                                           training split)
                      --vocab-size N       BPE vocabulary size (default 512)
                      --context N          context window in tokens (default 128)
                      --layers N           transformer blocks (default 4)
                      --heads N            attention heads (default 4)
                      --embd N             model width (default 128)
                      --dropout X          dropout (default 0)
                      --positions NAME     learned (default, GPT-2) or rotary
                      --untied             separate output projection (default: tied to the token embedding)
                      --batch-size N       sequences per step (default 32)
                      --steps N            optimizer steps in total (default 3000)
                      --lr X               peak learning rate (default 0.002)
                      --min-lr-ratio X     final learning rate as a fraction of the peak (default 0.1)
                      --warmup N           warm-up steps (default 100)
                      --weight-decay X     AdamW decoupled weight decay (default 0.1)
                      --beta2 X            AdamW beta2 (default 0.99)
                      --grad-clip X        clip the global gradient norm to X (default 1)
                      --precision P        fp32 (default), bf16 or fp16 (autocast; fp16 with a dynamic GradScaler)
                      --val-fraction X     fraction of tokens held out at the end (default 0.1)
                      --eval-every N       steps between evaluations and checkpoints (default 250)
                      --eval-batches N     batches per loss estimate (default 20)
                      --sample-every N     steps between printed samples (default 500; 0: none)
                      --sample-tokens N    length of each sample (default 200)
                      --time-limit MIN     stop (and save) after this many minutes
                      --stop-at STEP       stop (and save) at this step, keeping the schedule of --steps (split a
                                           run into sessions; --resume continues it)
                      --seed S             seed of the initialisation, batches and dropout (default 1337)
                      --threads N          Polymath threads (default: all cores)
                      --out DIR            output folder (default runs/gpt-<data folder>)
                      --resume CKPT        continue from a checkpoint (its model shape, tokenizer and seed are kept)
                      --progress MODE      auto, bars, plain, none
                      --log-every N        steps between log lines (default 50)
                    """);
                return true;
            case "generate":
                Console.WriteLine("""
                    Usage: polymath generate --checkpoint CKPT [--prompt TEXT] [--max-new-tokens N] [sampling options]

                    Continues TEXT with a GPT checkpoint from polymath pretrain gpt, or with a Hugging Face GPT-2
                    model.safetensors whose vocab.json and merges.txt sit beside it (or in --tokenizer-dir). Uses a
                    key/value cache. A prompt longer than the context window is cut to its last tokens, with a warning.

                    Options:
                      --checkpoint CKPT    the .safetensors file (required)
                      --prompt TEXT        text to continue (default: a newline)
                      --max-new-tokens N   tokens to add (default 500)
                      --temperature X      divide logits by X (default 0.8; 0 = greedy)
                      --top-k K            sample among the K most likely tokens
                      --top-p P            sample among the most likely tokens whose probabilities reach P
                      --greedy             always take the most likely token
                      --seed S             seed of the sampling (default 1337)
                      --no-cache           recompute the whole window every token (same output, slower)
                      --tokenizer-dir DIR  folder with vocab.json and merges.txt for a Hugging Face checkpoint
                      --heads N            attention heads of a Hugging Face checkpoint (default width/64)
                      --threads N          Polymath threads (default: all cores)
                    """);
                return true;
            case "eval":
                Console.WriteLine("""
                    Usage: polymath eval --checkpoint CKPT [--dataset NAME] [--data-dir DIR] [--split test|train]

                    Loads the model a checkpoint names (written by polymath train) and prints its loss, accuracy, top-5
                    accuracy, macro and micro precision/recall/F1 and the confusion matrix on a data set split.

                    Options:
                      --checkpoint CKPT    the .safetensors checkpoint (required)
                      --dataset NAME       mnist or fashion-mnist (default: the one it was trained on)
                      --data-dir DIR       folder with the IDX files (default ../shared/data/<dataset>)
                      --split NAME         test (default) or train
                      --batch-size N       evaluation batch size (default 1000)
                      --threads N          Polymath threads (default: all cores)
                      --config FILE        read options from a YAML mapping
                    """);
                return true;
            case "predict":
                Console.WriteLine("""
                    Usage: polymath predict --checkpoint CKPT --input FILE [--input FILE]... [--top K] [--limit N]

                    Classifies 28x28 grey images with a checkpoint and prints the most likely classes with their
                    probabilities.

                    Options:
                      --checkpoint CKPT    the .safetensors checkpoint (required)
                      --input FILE         an IDX image file (e.g. t10k-images-idx3-ubyte.gz) or a 28x28 PGM (P2/P5)
                                           image; repeatable (required)
                      --top K              classes shown per image (default 1)
                      --limit N            images read from IDX files at most (default 20)
                      --threads N          Polymath threads (default: all cores)
                      --config FILE        read options from a YAML mapping
                    """);
                return true;
            case "quantum":
                Console.WriteLine("""
                    Usage: polymath quantum run FILE.qasm [--shots N] [--seed S] [--noise SPEC] [--statevector] [--json]
                           polymath quantum grover --qubits N --marked M[,M...] [--shots N] [--seed S]
                           polymath quantum shor N [--seed S]
                           polymath quantum evolve --model tfim|heisenberg --qubits N [--field H] [--time T] [--steps R]
                                                   [--order 1|2] [--out FILE.svg]

                    Simulates circuits on the state-vector simulator (complex128 by default; qubit 0 is the rightmost
                    bit of every outcome, as in Qiskit).

                    run       reads an OpenQASM 2.0 program and prints the measured counts as a text histogram; a
                              program without measure has every qubit measured at the end. Errors in the file are
                              reported with line and column.
                      --shots N          shots (default 4096); sampled from one simulation when all measurements are final
                      --seed S           seed of the sampling (default 7)
                      --noise SPEC       noise on every gate, e.g. depolarizing:0.001, amplitude_damping:0.01,
                                         phase_damping:0.01, bit_flip:0.01, phase_flip:0.01, readout:0.02 (comma-separated)
                      --statevector      also print the state before the final measurements
                      --json             print one JSON object (counts, and the state with --statevector)
                      --precision P      complex128 (default) or complex64
                      --threads N        simulator threads (default: all cores)
                    grover    searches N qubits for the marked basis states with the optimal number of iterations and
                              prints the success probability beside the formula sin^2((2k+1)theta)
                    shor      factors N (15, 21, 35, ...) by order finding with modular-exponentiation circuits
                    evolve    Trotter time evolution of a spin chain beside the exact evolution; prints observables
                              over time and writes an SVG plot (default evolve.svg)
                    """);
                return true;
            case "hub":
                HubCommand.PrintHelp();
                return true;
            case "learn":
                Console.WriteLine("""
                    Usage: polymath learn fit --data TABLE.csv --target COLUMN [--model NAME] [--cv K] [options]
                           polymath learn predict --model-file MODEL.json --data TABLE.csv [--proba] [--out FILE]
                           polymath learn models

                    fit: reads a CSV with a header, types each column (a --schema file, else numeric when every
                    non-missing cell is a number, categorical otherwise; categorical columns are one-hot encoded),
                    prints K-fold cross-validated metrics (stratified for classifiers: accuracy, f1_macro, roc_auc,
                    log_loss; shuffled for regressors: r2, mae, rmse), fits on all rows and saves the model with its
                    schema as JSON. predict: checks the table against that schema and writes one prediction per row
                    (CSV to stdout or --out); when the table holds the target it also reports accuracy or R².

                    fit options:
                      --model NAME       see 'polymath learn models' (default forest): logistic, svc, linear-svc, tree,
                                         forest, gb, knn, gaussian-nb, multinomial-nb, linear, ridge, lasso, sgd,
                                         tree-regressor, forest-regressor, gb-regressor, knn-regressor
                      --data FILE        the training table (required)
                      --target COLUMN    the column to predict (required); rows without it are an error
                      --cv K             K-fold cross-validation before the final fit (default 0: none)
                      --out FILE         model file (default TABLE.NAME.json beside the data)
                      --schema FILE      JSON object {"column": "numeric" | "categorical", ...}
                      --param Name=Val   a hyperparameter (repeatable), e.g. --param C=10 --param Kernel=Poly
                      --impute           fill missing feature values (mean / most frequent) instead of failing
                      --scale, --no-scale  standardise features (default: on for svc, knn, linear models)
                      --seed S           seed of the model and of the folds (default 0)

                    predict options:
                      --model-file FILE  a model written by learn fit (required)
                      --data FILE        the table to predict (required); extra columns are ignored
                      --proba            add one probability column per class (classifiers)
                      --out FILE         write the predictions there instead of stdout
                    """);
                return true;
            case "help":
                Top();
                return true;
            default:
                return false;
        }
    }
}
