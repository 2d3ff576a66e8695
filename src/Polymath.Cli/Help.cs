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
              run      run a study described by a YAML file: polymath run examples/ising-phase.yaml
              train    train a model (mlp, lenet5, resnet, lstm) on MNIST or Fashion-MNIST;
                       with no options: LeNet-5 on MNIST for 5 epochs from ../shared/data/mnist
              pretrain pretrain a GPT language model (char-level or byte-level BPE) or a BERT masked-language
                       model (WordPiece) on a text file
              generate continue a prompt with a GPT checkpoint (or a Hugging Face GPT-2 model.safetensors)
              finetune fine-tune a pretrained GPT as a text classifier: full, freeze, lora, adapter, prefix
              evaluate evaluate a fine-tuned text classifier, a LoRA adapter, or zero/few-shot verbalizers
              bench    time Polymath's kernels against PyTorch (and C OpenBLAS) in the same run
              eval     evaluate a checkpoint: accuracy, precision/recall/F1, confusion matrix
              predict  classify images with a checkpoint
              quantum  simulate quantum circuits: run OpenQASM files, Grover, Shor, Hamiltonian evolution
              hub      run a data-sharing hub, or push, pull, tag, diff and share versioned datasets on one
              learn    classical ML on CSV tables: learn fit, learn predict, learn models (SVM, forests, ...)
              continual continual learning on split or permuted MNIST: naive fine-tuning vs EWC vs replay
              compress prune, quantize (int8) or distill a model; prints size, accuracy and speed before/after
              translate  train an encoder-decoder Transformer on Multi30k, translate text, score BLEU
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
            case "compress":
                Console.WriteLine("""
                    Usage: polymath compress prune    [common] [--method global|layer|structured] [--sparsity S]
                                                      [--rounds N] [--finetune-batches N]
                           polymath compress quantize [common] [--mode static|dynamic|qat] [--observer minmax|percentile]
                                                      [--calibration N] [--qat-batches N]
                           polymath compress distill  [common] [--student-hidden H,...] [--temperature T,...] [--alpha A,...]
                                                      [--seeds N]

                    Compresses a float model and prints a before/after table: size in bytes (safetensors), test
                    accuracy, inference time per 1000 images and the ratios. The model comes from --checkpoint (written
                    by 'polymath train'), or a float --model (mlp, lenet5; default lenet5) is trained first.
                      prune     unstructured magnitude pruning (global or per layer) on a cubic schedule over --rounds
                                prune-and-fine-tune rounds, printing sparsity against accuracy; or structured pruning
                                that removes the lowest-L1 neurons/channels and really shrinks the layers
                      quantize  int8: static (calibrated activations), dynamic (per-batch activations) or qat
                                (fake-quantized fine-tuning, then conversion); int8 GEMM on AVX-VNNI/AVX-512 when present
                      distill   trains an MLP student (784-H-10) alone and from the model's softened outputs
                                (loss alpha*T^2*KL + (1-alpha)*CE) and compares them; both start from the same
                                initialisation and see the same batches. Comma-separated lists and --seeds N (seeds
                                S..S+N-1) run a sweep and print mean +- sd of each arm and of the paired gain

                    Common options:
                      --checkpoint FILE       model to compress (from polymath train)
                      --model NAME            train this float model first instead (mlp, lenet5)
                      --dataset NAME          mnist (default) or fashion-mnist
                      --data-dir DIR          data folder (default ../shared/data/<dataset>)
                      --epochs N              epochs for the float model / students (default 1)
                      --train-limit N         use the first N training images (default all)
                      --test-limit N          use the first N test images (default all)
                      --batch-size N          training batch (default 64)
                      --lr X                  Adam learning rate (default 1e-3; fine-tuning uses a fraction)
                      --seed S                seeds initialisation and shuffling (default 0)
                      --speed-reps N          timing repetitions, median reported (default 3)
                      --threads N             Polymath threads (default: all cores)
                      --out FILE              write the compressed model (safetensors with int8 weights and
                                              quantization parameters; LSTM classifiers too, --mode dynamic)
                      --profile               quantize: also print each layer's time, float32 and int8
                    Defaults: --sparsity 0.5, --rounds 3, --finetune-batches 200, --mode static, --observer minmax,
                    --calibration 512, --qat-batches 300, --student-hidden 32, --temperature 4, --alpha 0.5.
                    A model with a layer that cannot be quantized (BatchNorm, LSTM for static) is refused with the
                    layer's name; nothing is written.
                    """);
                return true;
            case "demo":
                Console.WriteLine("""
                    Usage: polymath demo [--sizes L,L,...] [--temperatures MIN:MAX:COUNT] [--samples N] [--model dense|cnn]
                                         [--train-windows ORDERED_MAX:DISORDERED_MIN] [--epochs N] [--networks N]
                                         [--chain-sizes n,n,...|none] [--chain-method qmc|exact] [--shots N] [--chain-networks N]
                                         [--seed S] [--out DIR] [--threads N] [--progress auto|plain]
                           polymath demo mlp [--steps N] [--lr X] [--seed S] [--threads N]

                    Polymath's main job (also what 'polymath' with no arguments runs): learn the 2D Ising phase
                    transition from simulated data, end to end.
                      1. simulate Wolff Monte Carlo configurations for every (L, T), seeded, with progress bars;
                      2. publish them to a hub embedded in DIR/hub (SQLite, content-addressed blobs) as a versioned
                         dataset (tag v1, v2, ...) with a card, Croissant metadata and the generating parameters;
                      3. read that version back from the hub, train classifiers on T <= ORDERED_MAX (ordered) and
                         T >= DISORDERED_MIN (disordered) only, find where their mean output crosses 1/2 for each L
                         (bootstrap and network-spread errors) and extrapolate T*(L) = T_c + a/L; fit (T_c, nu) by
                         the data collapse of the output curves, with a jackknife over the networks in its error
                         (the headline estimate when it converges);
                      3b. the same for the transverse-field Ising chain: Z-basis snapshots of its ground state (cluster
                         QMC at beta = 2n, or exact Lanczos ground states) published as a second dataset, dense
                         classifiers, h_c (exact 1);
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
                      --chain-sizes n,...     chain lengths of the quantum step (default 16,32,64; 4 to 1024 by QMC,
                                              4 to 24 exactly; none skips it)
                      --chain-method M        qmc (default: continuous-time cluster QMC) or exact (Lanczos)
                      --shots N               Z snapshots per field of the quantum step (default 500)
                      --chain-networks N      networks per chain length (default 4)
                      --seed S                seeds simulation, networks and bootstrap (default 2017)
                      --out DIR               run folder (default runs/ising-demo)
                      --threads N             Polymath threads (default: all cores)
                      --progress MODE         auto (bars on a terminal) or plain (lines)

                    Bad values (an unknown model, a temperature <= 0, an empty range, a lattice too large for
                    memory) are refused before anything is simulated or written.

                    'polymath demo mlp' is the first demo: a 2-16-1 tanh MLP fitted with Tensor ops and autograd.
                    """);
                return true;
            case "run":
                Console.WriteLine("""
                    Usage: polymath run CONFIG.yaml [--out DIR] [--threads N] [--progress auto|plain]

                    Runs the study a YAML file describes. The job 'ising-phase' is the main job of 'polymath demo'
                    at the size the file gives:
                      examples/ising-phase.yaml         the paper-scale study (L = 10, 20, 30, 40, 60; see docs/main-job.md
                                                        for its time on 2 cores)
                      examples/ising-phase-small.yaml   a small seeded run (seconds)
                    Keys (all but job optional; defaults are polymath demo's):
                      job: ising-phase
                      seed: 2017
                      out: runs/ising-phase
                      threads: 2
                      progress: plain
                      ising:
                        sizes: [10, 20, 30, 40, 60]
                        temperatures: {min: 1.5, max: 3.5, count: 41}
                        samples: 400
                        model: cnn                  # or dense
                        train_windows: {ordered_max: 1.9, disordered_min: 2.7}
                        epochs: 12
                        networks: 8
                      chain:                        # or chain: none
                        sizes: [16, 32, 64, 128]
                        method: qmc                 # or exact (Lanczos, n <= 24)
                        shots: 500
                        networks: 4
                    Unknown keys, wrong types, an unknown model, a temperature <= 0, an empty range and a lattice
                    too large for memory are refused, naming the file, key and line, before any work starts.
                    --out, --threads and --progress on the command line win over the file.
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
                    Usage: polymath bench [--filter PATTERN]... [--threads N] [--json] [--quick] [--no-peer] [--list] [--seed S]

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
                      --seed S           seed of the short training runs (amp rows; default 0, the documented runs)

                    Groups: gemm, elementwise, reduction, overhead, conv, softmax, layernorm, matmul, training
                    (train_mlp, train_lenet, train_lstm: one Adam step vs torch_workloads.py, with peak_rss_mb;
                    train_gpt_char: the pretrain gpt step vs bench/peers/gpt_char.py), data (the MNIST loader;
                    tokenising Tiny Shakespeare by character and with a 1024-token BPE),
                    quantum (state-vector circuits at n = 20, 24, 26: times per circuit and per gate, and "passes":
                    the time in read+write sweeps of the state at the measured bandwidth).
                    """);
                return true;
            case "continual":
                Console.WriteLine("""
                    Usage: polymath continual [--benchmark split-mnist|permuted-mnist] [--strategy naive|ewc|replay|all]
                                              [--scenario class|task|domain] [--epochs N] [--seed S] [options]

                    Learns a sequence of tasks one after another with an MLP and compares naive fine-tuning, elastic
                    weight consolidation (online EWC, diagonal empirical Fisher) and experience replay (reservoir-sampled
                    memory mixed into every batch). After each task it tests on every task: prints the accuracy matrices
                    R[i, j], and per task the average accuracy A_i = mean_{j<=i} R[i, j] and the forgetting
                    F_i = mean_{j<i} (max_{l<i} R[l, j] - R[i, j]). Writes OUT/run.jsonl (every option, the data files'
                    SHA-256, the seed, every task's results) and OUT/report.html (curves and matrices). Every strategy
                    starts from the same weights and sees the same batches.

                    Options:
                      --benchmark NAME       split-mnist (5 tasks: digits 0/1, 2/3, 4/5, 6/7, 8/9; default) or
                                             permuted-mnist (each task a fixed pixel permutation; the first is the identity)
                      --scenario NAME        class: one 10-way head, no task identity (split-mnist default);
                                             task: logits masked to the task's digits; domain: split-mnist as 2-way
                                             "first or second digit of the pair" (permuted-mnist is always domain)
                      --strategy NAME        naive, ewc, replay or all (default all)
                      --epochs N             epochs per task (default 2)
                      --batch-size N         batch size (default 128)
                      --lr X                 learning rate (default 0.001)
                      --optimizer NAME       adam or sgd (momentum 0.9); a fresh optimizer at every task (default adam)
                      --hidden W,W,...       hidden layer widths of the MLP (default 400,400)
                      --tasks N              permuted-mnist: number of tasks (default 5)
                      --train-per-task N     keep the first N training images of each task (permuted-mnist default 10000)
                      --test-per-task N      keep the first N test images of each task (default all)
                      --ewc-lambda X         EWC penalty strength (defaults from a validation sweep: split-mnist 1e6
                                             class and task, 1e7 domain; permuted-mnist 100)
                      --ewc-gamma X          decay of the accumulated Fisher in [0, 1] (default 1: plain sum)
                      --fisher-samples N     training examples per task for its Fisher estimate (default 1000)
                      --fisher-estimator E   per-sample (one backward pass per example; default) or per-batch
                      --fisher-batch-size N  batch size of the per-batch estimator (default 64)
                      --buffer-size N        replay memory size in examples (default 1000)
                      --replay-batch N       memory examples added to each batch (default: the batch size)
                      --validation N         evaluate on the last N training images of each task, held out from
                                             training, instead of the test split (for tuning --ewc-lambda etc.)
                      --seed S               seed of the weights, the data order, the permutations and every draw (default 42)
                      --threads N            Polymath threads (default: all cores)
                      --data-dir DIR         folder with the MNIST IDX files (default ../shared/data/mnist)
                      --out DIR              output folder (default runs/continual-<benchmark>-<scenario>)

                    Exit codes: 0 done, 1 failed (e.g. missing data), 2 bad command line, 130 cancelled.
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
                      --nproc N            data-parallel training on N processes: relaunches this command as
                                           mpirun -np N --bind-to none polymath train ... (Open MPI); each rank
                                           trains on its own shard with --batch-size per rank (global N x batch),
                                           gradients are averaged after every backward pass; rank 0 alone logs
                                           and writes OUT. Started by mpirun yourself, --nproc may be left out.
                      --hostfile FILE      with --nproc: place the ranks on the hosts of an Open MPI host file
                                           ('HOST [slots=N] [max_slots=N]' per line, # comments; checked before
                                           mpirun starts: a bad line or fewer slots than N is an error naming the
                                           file and line; every host needs the same polymath build and data paths)
                      --dist-timeout S     seconds a rank waits for the others in a collective before failing
                                           (default 300, or POLYMATH_DIST_TIMEOUT)
                      --precision P        fp32 (default), bf16 or fp16: mixed precision with autocast (matmul, linear
                                           and conv in 16 bits with float32 accumulation; softmax, norms and losses in
                                           float32; float32 master weights); fp16 adds a dynamic GradScaler,
                                           whose state (scale, growth tracker, settings) is saved in the checkpoints
                                           and restored by --resume
                      --loss-scale S       fp16: the GradScaler's initial scale (default 65536)
                      --loss-scale-growth-interval N
                                           fp16: good steps before the scale doubles (default 2000)

                    Exit codes: 0 trained, 1 failed (e.g. the loss became NaN: the step is named and the last good
                    checkpoint kept), 2 bad command line, 130 cancelled (after saving OUT/last.safetensors;
                    with --nproc, Ctrl-C ends every rank and keeps the last completed checkpoint), 143 SIGTERM with --nproc.
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

                    polymath pretrain bert [--data FILE] [--steps N] [options]

                    Pretrains a BERT encoder with the masked-language-model objective (Hugging Face BertForMaskedLM
                    layout; post-norm, erf GELU, decoder tied to the word embedding). A WordPiece vocabulary of
                    --vocab-size tokens (default 2000, with [PAD] [UNK] [CLS] [SEP] [MASK]) is learned on the training
                    lines (the first 90% of the lines; the rest validate); consecutive lines are packed into segments of
                    at most --context − 2 pieces, each batch is [CLS] segment [SEP] padded to its longest with an
                    attention mask, and --mask-prob of the ordinary tokens are chosen: 80% become [MASK], 10% a random
                    token, 10% stay. The loss is the cross-entropy on the chosen tokens; evaluations also report the
                    masked-token accuracy, and samples show the model filling a masked validation segment. Same loop,
                    checkpoints, log, report and --resume as pretrain gpt; default lr 0.001. --tokenizer, --positions
                    and --untied do not apply. Options of its own:
                      --intermediate N     feed-forward width (default 4 × --embd)
                      --mask-prob X        share of tokens chosen for prediction (default 0.15)
                    """);
                return true;
            case "finetune":
                Console.WriteLine("""
                    Usage: polymath finetune --backbone CKPT [--method lora|adapter|prefix|full|freeze] [options]

                    Fine-tunes a GPT from polymath pretrain gpt as a speaker classifier: the speeches of a play script
                    (Tiny Shakespeare by default) by the --speakers most frequent speakers, split train/val/test with a
                    seeded shuffle; input = the spoken text (first --max-tokens tokens), label = the speaker. A linear
                    head (score) reads the pooled hidden state. Methods:
                      full      every parameter trains
                      freeze    only the head (and the last --freeze-last-blocks blocks) train
                      lora      LoRA on the layers matching --lora-targets; the rest frozen
                      adapter   Houlsby bottleneck adapters after each attention and MLP output projection
                      prefix    prefix tuning: learned keys/values per layer (--prefix-length positions)
                    The head always trains. The epoch with the best validation accuracy is kept (OUT/model.safetensors;
                    with lora also OUT/adapter_model.safetensors, the adapter and head alone, PEFT names) and tested.
                    OUT/run.jsonl records the dataset and its SHA-256, the seed and every option; OUT/report.html.

                    Options (each may also be given in a YAML file with --config):
                      --backbone CKPT        pretrained GPT checkpoint (required)
                      --method NAME          lora (default), adapter, prefix, full, freeze
                      --data FILE            play script (default ../shared/data/tinyshakespeare/input.txt)
                      --speakers K           most frequent speakers kept (default 10)
                      --max-tokens N         tokens of each speech the model reads (default 128)
                      --val-fraction X       (default 0.1)   --test-fraction X (default 0.1)   --split-seed S (default 0)
                      --train-fraction X     use only this share of the training speeches
                      --pooling NAME         mean (default) or last hidden state
                      --epochs N             (default 4)     --batch-size N (default 16)
                      --lr X                 peak learning rate (default: full 3e-4, prefix 1e-2, others 2e-3)
                      --weight-decay X       (default 0.01)  --warmup-fraction X (default 0.1)  --grad-clip X (default 1)
                      --lora-rank R          (default 4)     --lora-alpha A (default 8)  --lora-dropout P (default 0.05)
                      --lora-targets REGEX   module names (default "c_attn|attn\.c_proj")
                      --adapter-dim M        adapter bottleneck width (default 16)
                      --prefix-length P      prefix positions (default 10)
                      --freeze-last-blocks N blocks that still train with --method freeze (default 0: linear probe)
                      --seed S               (default 1337)  --threads N  --out DIR (default runs/finetune-METHOD)
                    """);
                return true;
            case "evaluate":
                Console.WriteLine("""
                    Usage: polymath evaluate --checkpoint OUT/model.safetensors [--split test|val|train]
                           polymath evaluate --backbone CKPT --adapter OUT/adapter_model.safetensors
                           polymath evaluate --checkpoint PRETRAINED.safetensors --verbalizer [--shots K] [--template T]

                    Accuracy, macro F1 and the confusion matrix of a text classifier from polymath finetune (the task and
                    split are read from it), of a pretrained backbone plus a LoRA adapter file (a mismatching adapter lists
                    the mismatching keys and shapes), or of a pretrained GPT used without training: each speaker's name is
                    a label word, the template's part from {label} on is scored by its log-likelihood after the rest, and
                    the most likely speaker wins (few-shot: K random training speeches with their speakers come first).
                    An image-classifier checkpoint from polymath train is passed on to polymath eval.
                    Writes OUT/run.jsonl and OUT/report.html.

                    Options:
                      --split NAME           test (default), val, train
                      --template T           default "{text}\nspoken by: {label}"; "{label}:\n{text}" scores the
                                             speaker's name and then the speech (the play-script layout)
                      --normalize NAME       sum (default) or mean log-probability per scored token
                      --shots K              demonstrations (default 0)  --demo-max-tokens N (default 48)
                      --max-tokens N         tokens of each speech (default: the fine-tuning run's, else 128)
                      --data, --speakers, --split-seed, --val-fraction, --test-fraction   the task (as finetune)
                      --limit N              only the first N speeches of the split
                      --seed S               demonstrations' seed (default 1337)  --batch-size N  --threads N
                      --out DIR              (default runs/evaluate)
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
                      --shots N          shots (default 2500); sampled from one simulation when all measurements are final
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
            case "translate":
                Console.WriteLine("""
                    Usage: polymath translate train [--data DIR] [--minutes M] [model and training options]
                           polymath translate train --resume OUT/last.safetensors [--epochs N] [--minutes M] [--stop-at STEP]
                           polymath translate decode --checkpoint FILE [--beam K] (--input FILE | --text "...") [--output FILE]
                           polymath translate evaluate --checkpoint FILE [--split test|val|train] [--beam K] [--output FILE]

                    train: a joint byte-level BPE over the training text of both languages, then an encoder-decoder
                    Transformer trained with teacher forcing (label-smoothed cross-entropy), batches of similar-length
                    pairs up to --batch-tokens, Adam (0.9, 0.98) with linear warm-up and inverse-square-root decay.
                    After every epoch: validation loss and greedy validation BLEU, OUT/last.safetensors,
                    OUT/best.safetensors (best BLEU), OUT/report.html (curves), OUT/run.jsonl (dataset SHA-256, seed,
                    every option, steps, evaluations). At the end: test BLEU of the best checkpoint, greedy and beam.
                    BLEU is sacreBLEU's default corpus BLEU (13a tokenisation, 4-grams, exp smoothing).

                    Options of train (each may also be given in a YAML file with --config):
                      --data DIR           Multi30k layout: DIR/{train,val,test_2016_flickr}.{SRC,TGT}
                                           (default ../shared/data/translation/multi30k)
                      --src L, --tgt L     languages (default en, de)
                      --vocab-size N       joint BPE vocabulary (default 8000)
                      --d-model N, --heads N, --encoder-layers N, --decoder-layers N, --ffn N
                                           model shape (default 256, 4, 3, 3, 1024)
                      --dropout P          (default 0.1)      --label-smoothing E   (default 0.1)
                      --positions NAME     sinusoidal (default) or learned
                      --post-norm          post-norm blocks (default pre-norm)
                      --separate-embeddings  separate source and target tables (default one shared table)
                      --max-length N       longest sentence in tokens; longer training pairs are dropped (default 128)
                      --batch-tokens N     padded tokens per batch (default 2500)
                      --lr X, --warmup N   peak learning rate and warm-up steps (default 1e-3, 400)
                      --grad-clip X        gradient-norm clip, 0 = off (default 1)
                      --epochs N           at most N epochs       --minutes M   stop training after M minutes
                      --stop-at STEP       stop (validate and save) at this step; the schedule stays the same
                      --resume FILE        go on from a last.safetensors exactly where it stopped (after an epoch,
                                           Ctrl-C, --minutes or --stop-at): tokenizer, weights, Adam and random state
                                           from the file, the batch order replayed; only --epochs, --minutes,
                                           --stop-at, --threads, --out (default: the file's folder), --log-every and
                                           --progress may be given, and the data must be unchanged (SHA-256)
                      --val-sentences N    validate on the first N validation pairs (default all)
                      --train-sentences N  train on the first N pairs only (smoke tests)
                      --beam K, --alpha A  test decoding: beam size and GNMT length penalty (default 5, 0.6)
                      --seed N, --threads N, --out DIR (default runs/translate-SRC-TGT), --log-every N,
                      --progress plain|none

                    decode and evaluate take --beam (1 = greedy) and --alpha (defaults: the training run's), --threads.
                    Exit codes: 0 done, 1 failed, 2 bad command line, 130 cancelled.
                    """);
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
