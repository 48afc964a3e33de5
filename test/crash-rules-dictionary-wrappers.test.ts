/**
 * Crash rules by enumeration from the sources, sixth round (issue 10; docs/crash-accuracy.md, items 730-): what wraps
 * the training process and reports its death. Notebooks (Jupyter's server log and dialogs, VS Code's and Spyder's
 * consoles, Colab, Kaggle, IPython's traceback format, nbclient / nbconvert / papermill), IDEs (PyCharm's and VS Code's
 * exit lines, Windows' own reports), shells (bash, dash, zsh, ksh, tcsh and fish reporting each fatal signal, in a
 * script and in a terminal's job table; coreutils `timeout`, `xargs`, `nohup`), containers (Docker's CLI, `docker
 * inspect` / `ps` / `events` / compose, the NVIDIA container toolkit, Singularity / Apptainer, enroot / pyxis) and
 * service managers (systemd, supervisord, pm2, `conda run`). Each row is the text in the line shape it is printed in,
 * with the category the corpus's conventions give it: a kill from outside is process_killed (an OOM kill by the
 * kernel, a cgroup, Docker, systemd or a notebook host too), a fatal signal of the process itself segfault, a time
 * limit's kill timeout, a container that cannot reach the GPU's driver cuda_error and a missing library import_error.
 * `none` rows are the same words in healthy runs (a kernel restarted on purpose, a program that finished, a helper the
 * script stopped).
 *
 * Sources: "recorded here" is the output of test/fixtures/crash/recorded/wrappers.sh on Debian bookworm (bash 5.2.15,
 * dash, zsh 5.9, ksh 93u+m 1.0.4, tcsh 6.24.07, fish 3.6.0, coreutils 9.1, supervisor 4.2.5, nbclient 0.7.2 with
 * ipykernel 6.17 on CPython 3.11), a stand-in trainer that prints a step and kills itself with the signal, quoted
 * verbatim. `find_string hit N` is a public repository file the search tool does not name (a real log or a program
 * quoting the message); an issue URL is a thread quoting it in a real log; `corpus: ...` a studied corpus entry holding
 * the text with its label; "not looked up" a format as known, not confirmed this round.
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, healthy, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-wrappers-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

/** A run's progress, then what the wrapper printed when it ended (`lines`, one or more). */
function shellEnd(lines: string | string[]): string {
  return [...PROGRESS, ...(Array.isArray(lines) ? lines : [lines]), ""].join("\n");
}

/** The recorded stand-in trainer's command line, as the shells echo it in their reports. */
const CMD = "/usr/bin/python3 train.py --die";

/** A journal excerpt of a systemd unit (`journalctl -u train`): the trainer's output, then systemd's records. */
function journal(systemd: string[], output: string[] = []): string {
  return [
    "May 02 10:11:10 gpu-node-07 python3[48213]: {'loss': 0.4093, 'grad_norm': 1.873, 'learning_rate': 1.98e-05, 'epoch': 3.41}",
    ...output.map((l) => `May 02 10:11:11 gpu-node-07 python3[48213]: ${l}`),
    ...systemd.map((l) => `May 02 10:11:12 gpu-node-07 systemd[1]: ${l}`),
    "",
  ].join("\n");
}

/** supervisord's log (supervisor/process.py `exited: NAME (STATUS; expected|not expected)`), as recorded here. */
function supervisor(lines: string[]): string {
  return [
    "2026-12-07 12:26:08,379 INFO supervisord started with pid 10768",
    "2026-12-07 12:26:09,402 INFO spawned: 'train' with pid 10772",
    "2026-12-07 12:26:09,445 INFO success: train entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)",
    ...lines,
    "",
  ].join("\n");
}

/** pm2's daemon log (`~/.pm2/pm2.log`): `<time>: PM2 log: <text>`. */
function pm2(lines: string[]): string {
  return [
    "2026-07-28T02:40:11: PM2 log: App [train:0] starting in -fork mode-",
    "2026-07-28T02:40:11: PM2 log: App [train:0] online",
    ...lines.map((l) => `2026-07-28T02:46:24: PM2 log: ${l}`),
    "",
  ].join("\n");
}

/** Jupyter's server log (`[I 2026-01-09 13:07:44.389 ServerApp] ...`, jupyter_server's LogFormatter). */
function jupyterServer(lines: string[]): string {
  return [
    "[I 2026-01-09 09:37:14.194 ServerApp] Kernel started: 2fb85dd2-84c3-49dc-9395-26c8dfdbee4b",
    "[I 2026-01-09 09:37:15.002 ServerApp] Connecting to kernel 2fb85dd2-84c3-49dc-9395-26c8dfdbee4b.",
    ...lines,
    "",
  ].join("\n");
}

/**
 * IPython's traceback in a notebook's output (IPython 8's ultratb: the exception's name padded to the width of the
 * rule, `Cell In[N], line L`, the `---->` arrow, a library frame as `File PATH:LINE, in FUNC(ARGS)`), as Colab,
 * Kaggle, VS Code and nbclient print it; `message` is the last line.
 */
function ipythonTrace(name: string, message: string): string {
  return [
    ...PROGRESS,
    "---------------------------------------------------------------------------",
    `${name.padEnd(42)}Traceback (most recent call last)`,
    "Cell In[12], line 3",
    "      1 model.train()",
    "      2 for epoch in range(3):",
    "----> 3     trainer.train()",
    "",
    "File /usr/local/lib/python3.10/dist-packages/transformers/trainer.py:1938, in Trainer.train(self, resume_from_checkpoint, trial, ignore_keys_for_eval, **kwargs)",
    "   1936         hf_hub_utils.enable_progress_bars()",
    "   1937 else:",
    "-> 1938     return inner_training_loop(",
    "   1939         args=args,",
    "   1940         resume_from_checkpoint=resume_from_checkpoint,",
    "   1941         trial=trial,",
    "   1942         ignore_keys_for_eval=ignore_keys_for_eval,",
    "   1943     )",
    "",
    `${name}: ${message}`,
    "",
  ].join("\n");
}

/** IPython 7's form (`<ipython-input-N-HASH> in <module>`), still in older Colab and Kaggle pastes. */
function ipython7Trace(name: string, message: string): string {
  return [
    ...PROGRESS,
    "---------------------------------------------------------------------------",
    `${name.padEnd(42)}Traceback (most recent call last)`,
    "<ipython-input-12-3f2a9c1d7b4e> in <module>",
    "      1 for epoch in range(3):",
    "----> 2     train_one_epoch(model, loader, optimizer)",
    "",
    "<ipython-input-9-8b1e2f0c4d5a> in train_one_epoch(model, loader, optimizer)",
    "     10         loss = criterion(model(x.cuda()), y.cuda())",
    "---> 11         loss.backward()",
    "",
    `${name}: ${message}`,
    "",
  ].join("\n");
}

/** papermill re-raising a cell's error (papermill/execute.py raise_for_execution_errors; find_string hit 43419401614). */
function papermill(name: string, message: string): string {
  return [
    ...PROGRESS,
    "Traceback (most recent call last):",
    '  File "/usr/local/bin/papermill", line 8, in <module>',
    "    sys.exit(papermill())",
    '  File "/usr/local/lib/python3.10/dist-packages/papermill/execute.py", line 131, in execute_notebook',
    "    raise_for_execution_errors(nb, output_path)",
    '  File "/usr/local/lib/python3.10/dist-packages/papermill/execute.py", line 251, in raise_for_execution_errors',
    "    raise error",
    "papermill.exceptions.PapermillExecutionError: ",
    "---------------------------------------------------------------------------",
    'Exception encountered at "In [15]":',
    "---------------------------------------------------------------------------",
    `${name.padEnd(42)}Traceback (most recent call last)`,
    "Cell In[15], line 18",
    "     16 for epoch in range(args.epochs):",
    "---> 18     loss = train_one_epoch(model, loader, optimizer)",
    "",
    `${name}: ${message}`,
    "",
  ].join("\n");
}

/** nbclient 0.7.2 after the kernel died under it, as recorded here (the CancelledError chain, then DeadKernelError). */
const NBCLIENT_DEAD_KERNEL = [
  "Traceback (most recent call last):",
  '  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 1002, in async_execute_cell',
  "    exec_reply = await self.task_poll_for_reply",
  "                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
  '  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 776, in _async_poll_for_reply',
  "    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=new_timeout))",
  "          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
  '  File "/usr/lib/python3/dist-packages/jupyter_core/utils/__init__.py", line 110, in ensure_async',
  "    result = await obj",
  "             ^^^^^^^^^",
  '  File "/usr/lib/python3/dist-packages/jupyter_client/channels.py", line 224, in get_msg',
  "    ready = await self.socket.poll(timeout)",
  "            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
  "asyncio.exceptions.CancelledError",
  "",
  "During handling of the above exception, another exception occurred:",
  "",
  "Traceback (most recent call last):",
  '  File "<stdin>", line 8, in <module>',
  '  File "/usr/lib/python3/dist-packages/jupyter_core/utils/__init__.py", line 98, in wrapped',
  "    return loop.run_until_complete(inner)",
  "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
  '  File "/usr/lib/python3.11/asyncio/base_events.py", line 653, in run_until_complete',
  "    return future.result()",
  "           ^^^^^^^^^^^^^^^",
  '  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 703, in async_execute',
  "    await self.async_execute_cell(",
  '  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 1006, in async_execute_cell',
  '    raise DeadKernelError("Kernel died")',
  "nbclient.exceptions.DeadKernelError: Kernel died",
];

/** nbclient's CellExecutionError for a cell that raised, as recorded here (the cell's IPython traceback with its colours). */
function nbclientCellError(name: string, message: string): string {
  return [
    "step 1200 loss 0.41",
    "Traceback (most recent call last):",
    '  File "<stdin>", line 8, in <module>',
    '  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 1021, in async_execute_cell',
    "    await self._check_raise_for_error(cell, cell_index, exec_reply)",
    '  File "/usr/lib/python3/dist-packages/nbclient/client.py", line 915, in _check_raise_for_error',
    "    raise CellExecutionError.from_cell_and_msg(cell, exec_reply_content)",
    "nbclient.exceptions.CellExecutionError: An error occurred while executing the following cell:",
    "------------------",
    "trainer.train()",
    "------------------",
    "",
    "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
    `\x1b[0;31m${name}\x1b[0m${" ".repeat(Math.max(1, 42 - name.length))}Traceback (most recent call last)`,
    "Cell \x1b[0;32mIn [1], line 1\x1b[0m",
    "\x1b[0;32m----> 1\x1b[0m trainer\x1b[38;5;241m.\x1b[39mtrain()",
    "",
    `\x1b[0;31m${name}\x1b[0m: ${message}`,
    `${name}: ${message}`,
    "",
  ].join("\n");
}

/** Kaggle's notebook log viewer, copied: `<seconds>s\t<line>\t<text>` (find_string hit 32894004167). */
function kaggleViewer(lines: string[]): string {
  return [...PROGRESS, ...lines].map((l, i) => `${(812.4 + i * 0.1).toFixed(1)}s\t${i + 1}\t${l}`).join("\n") + "\n";
}

/** Windows' Application Error event (Event Viewer, ID 1000; corpus: zs-kohyass-2684-windows-event-nvcuda-0xc0000005). */
function windowsEvent(code: string, module: string): string {
  return shellEnd([
    "Faulting application name: python.exe, version: 3.10.11150.1013, time stamp: 0x642cc427",
    `Faulting module name: ${module}, version: 10.0.22621.2506, time stamp: 0x2f2f77bb`,
    `Exception code: ${code}`,
    "Fault offset: 0x000000000008d7a2",
    "Faulting process ID: 0x3a2c",
    "Faulting application start time: 0x01da2b1f5c4e8a11",
    "Faulting application path: C:\\Users\\me\\miniconda3\\envs\\train\\python.exe",
    `Faulting module path: C:\\Windows\\System32\\${module}`,
    "Report ID: 5b1c2f9e-7d31-4a8e-9c62-0f4e8d1a2b3c",
  ]);
}

/** `docker inspect` of a stopped container: its State block (find_string hit 4470497169 shows the fields). */
function dockerState(oomKilled: boolean, exitCode: number): string {
  return shellEnd([
    "$ docker inspect trainer",
    "[",
    "    {",
    '        "Id": "3f2a9c1d7b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",',
    '        "Created": "2024-05-02T08:01:12.123456789Z",',
    '        "Path": "python",',
    '        "Args": [',
    '            "train.py"',
    "        ],",
    '        "State": {',
    '            "Status": "exited",',
    '            "Running": false,',
    '            "Paused": false,',
    '            "Restarting": false,',
    `            "OOMKilled": ${oomKilled},`,
    '            "Dead": false,',
    '            "Pid": 0,',
    `            "ExitCode": ${exitCode},`,
    '            "Error": "",',
    '            "StartedAt": "2024-05-02T08:01:13.234567891Z",',
    '            "FinishedAt": "2024-05-02T10:11:12.345678912Z"',
    "        },",
  ]);
}

/** `docker ps -a`'s table. */
function dockerPs(status: string): string {
  return shellEnd([
    "CONTAINER ID   IMAGE            COMMAND             CREATED       STATUS                     PORTS     NAMES",
    `3f2a9c1d7b4e   trainer:latest   "python train.py"   2 hours ago   ${status.padEnd(26)} trainer`,
  ]);
}

/** What `docker run --gpus all` prints when the runtime's prestart hook (nvidia-container-cli) fails. */
function dockerHook(cliLine: string): string {
  return [
    "$ docker run --rm --gpus all -v $PWD:/workspace trainer:latest python train.py",
    "docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error running hook #0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'",
    `${cliLine}: unknown.`,
    "",
    "Run 'docker run --help' for more information",
    "",
  ].join("\n");
}

/** pyxis reporting enroot's failure to start the container (pyxis/pyxis_slurmstepd.c; find_string hits 3176121905, 4813806270). */
function pyxis(log: string[]): string {
  return [
    "srun: job 424242 queued and waiting for resources",
    "srun: job 424242 has been allocated resources",
    "slurmstepd: error: pyxis: container start failed with error code: 1",
    "slurmstepd: error: pyxis: printing enroot log file:",
    ...log.map((l) => `slurmstepd: error: pyxis:     ${l}`),
    "slurmstepd: error: pyxis: couldn't start container",
    "slurmstepd: error: spank: required plugin spank_pyxis.so: task_init() failed with rc=-1",
    "slurmstepd: error: Failed to invoke spank plugin stack",
    "srun: error: gpu-node-07: task 0: Exited with exit code 1",
    "",
  ].join("\n");
}

const TORCH_OOM = "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 14.75 GiB of which 1.06 GiB is free. Process 4821 has 13.68 GiB memory in use. Of the allocated memory 13.21 GiB is allocated by PyTorch, and 336.15 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)";

// ---------------------------------------------------------------------------------------------------------------
// The table.

const FAMILIES: Record<string, Row[]> = {
  "1. notebooks: Jupyter, VS Code, Spyder, Colab, Kaggle, IPython, nbclient, papermill": [
    [shellEnd(["Kernel Restarting", "The kernel for train.ipynb appears to have died. It will restart automatically."]), "process_killed", "JupyterLab's dialog (@jupyterlab/services' kernel status `autorestarting`; find_string hits 14962849580, 14188042408 quote it from a training notebook)"],
    [shellEnd(["Dead kernel", "The kernel has died, and the automatic restart has failed. It is possible the kernel cannot be restarted. If you are not able to restart the kernel, you will still be able to save the notebook, but running code will no longer work until the notebook is reopened."]), "process_killed", "the classic notebook's dialog after the fifth restart failed (notebook/static/notebook/js/notificationarea.js; not looked up)"],
    [jupyterServer(["[I 2026-01-09 13:07:44.389 ServerApp] AsyncIOLoopKernelRestarter: restarting kernel (1/5), keep random ports", "[W 2026-01-09 13:07:44.390 ServerApp] kernel 2fb85dd2-84c3-49dc-9395-26c8dfdbee4b restarted"]), "process_killed", "jupyter_server's log when the kernel died (jupyter_client/restarter.py; find_string hit 13034697698)"],
    [shellEnd(["[I 05:43:27.926 NotebookApp] KernelRestarter: restarting kernel (1/5), keep random ports", "WARNING:root:kernel cd1df3d8-56ba-4acf-8c6b-bdd51915ce1e restarted"]), "process_killed", "the classic NotebookApp's form (find_string hit 46384191354, a PaddlePaddle training notebook)"],
    [shellEnd(["[I 11:02:13.501 NotebookApp] KernelRestarter: restarting kernel (5/5), new random ports", "[W 11:02:16.502 NotebookApp] KernelRestarter: restart failed", "[W 11:02:16.503 NotebookApp] Kernel 35867f0e-b967-4f0e-9a16-97db96315b18 died, removing from map."]), "process_killed", "jupyter_client's restarter giving up (restarter.py `restart failed`, the server's `died, removing from map`; not looked up)"],
    [shellEnd(["2019-03-21 19:51:54.605457: E tensorflow/stream_executor/cuda/cuda_driver.cc:981] failed to synchronize the stop event: CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was encountered", "2019-03-21 19:51:54.605457: F tensorflow/stream_executor/cuda/cuda_dnn.cc:194] Check failed: status == CUDNN_STATUS_SUCCESS (7 vs. 0)Failed to set cuDNN stream.", "[I 19:52:17.486 NotebookApp] KernelRestarter: restarting kernel (1/5), keep random ports"]), "cuda_error", "TensorFlow's fatal CUDA error in the kernel, then the restart (find_string hit 1288300977): the error names the death"],
    [shellEnd(["INTEL MKL ERROR: dlopen(/Users/so-wi/anaconda3/lib/libmkl_intel_thread.dylib, 9): Library not loaded: @rpath/libiomp5.dylib", "  Referenced from: /Users/so-wi/anaconda3/lib/libmkl_intel_thread.dylib", "  Reason: image not found.", "Intel MKL FATAL ERROR: Cannot load libmkl_intel_thread.dylib.", "[I 09:18:52.333 NotebookApp] KernelRestarter: restarting kernel (1/5), keep random ports", "kernel 3d9ff618-8c1d-4c1e-9a54-301a5ab4b684 restarted"]), "import_error", "MKL failing to load its threading library, then the kernel's restart (find_string hit 63343454521)"],
    [shellEnd(["OMP: Error #15: Initializing libiomp5md.dll, but found libiomp5md.dll already initialized.", "OMP: Hint This means that multiple copies of the OpenMP runtime have been linked into the program. That is dangerous, since it can degrade performance or cause incorrect results. The best thing to do is to ensure that only a single OpenMP runtime is linked into the process, e.g. by avoiding static linking of the OpenMP runtime in any library. As an unsafe, unsupported, undocumented workaround you can set the environment variable KMP_DUPLICATE_LIB_OK=TRUE to allow the program to continue to execute, but that may cause crashes or silently produce incorrect results. For more information, please see http://www.intel.com/software/products/support/.", "[I 21:55:26.126 NotebookApp] KernelRestarter: restarting kernel (1/5), keep random ports", "kernel 4e65633e-7300-4a63-a0fc-1df4e657672f restarted"]), "import_error", "two OpenMP runtimes in one kernel (find_string hit 43397874410; rule import_native_library reads OMP #15)"],
    [shellEnd(["Canceled future for execute_request message before replies were done", "The Kernel crashed while executing code in the the current cell or a previous cell. Please review the code in the cell(s) to identify a possible cause of the failure. Click <a href='https://aka.ms/vscodeJupyterKernelCrash'>here</a> for more info. View Jupyter <a href='command:jupyter.viewOutput'>log</a> for further details."]), "process_killed", "VS Code's Jupyter extension, the two messages as a cell shows them (find_string hits 8911280476, 21399769470; the extension's source: hit 28794053)"],
    [shellEnd(["Canceled future for execute_request message before replies were done"]), "process_killed", "VS Code's first message alone, as users paste it when a kernel ran out of RAM (find_string hits 41040003316, 30344930145)"],
    [shellEnd(["", "The kernel died, restarting...", ""]), "process_killed", "Spyder's IPython console (spyder/plugins/ipythonconsole/widgets/shell.py `_kernel_restarted_message`; find_string hit 3090321964)"],
    [shellEnd(["Your session crashed after using all available RAM. If you are interested in access to high-RAM runtimes, you may want to check out Colab Pro."]), "process_killed", "Colab's notice (corpus: zs-ftcp-8-colab-session-crashed-all-ram, process_killed)"],
    [shellEnd(["Your notebook tried to allocate more memory than is available. It has restarted."]), "process_killed", "Kaggle's notice (rule killed_cgroup_oom; not looked up this round)"],
    [shellEnd(NBCLIENT_DEAD_KERNEL), "process_killed", "recorded here: nbclient.NotebookClient(nb).execute() on a cell that kills its kernel with SIGKILL (find_string hits 59103856531, 54146076024, 60878455876: `DeadKernelError: Kernel died` after host-RAM OOM kills)"],
    [shellEnd(["[NbConvertApp] Converting notebook train.ipynb to notebook", "[NbConvertApp] ERROR | Kernel died while waiting for execute reply.", "Traceback (most recent call last):", '  File "/usr/local/bin/jupyter-nbconvert", line 8, in <module>', "    sys.exit(main())", '  File "/usr/local/lib/python3.10/dist-packages/nbconvert/preprocessors/execute.py", line 476, in run_cell', '    raise DeadKernelError("Kernel died")', "nbconvert.preprocessors.execute.DeadKernelError: Kernel died"]), "process_killed", "nbconvert 5's ExecutePreprocessor (find_string hit 14368343665 quotes the exception; the ERROR record not looked up)"],
    [papermill("OutOfMemoryError", TORCH_OOM), "cuda_oom", "papermill's error wrapping a cell's CUDA OOM (the wrapper's shape from find_string hit 43419401614)"],
    [papermill("ModuleNotFoundError", "No module named 'bitsandbytes'"), "import_error", "papermill's error wrapping a missing module"],
    [[...PROGRESS, "Traceback (most recent call last):", '  File "/usr/local/lib/python3.10/dist-packages/papermill/execute.py", line 122, in execute_notebook', "    nb = papermill_engines.execute_notebook_with_engine(", '  File "/usr/local/lib/python3.10/dist-packages/nbclient/client.py", line 1006, in async_execute_cell', '    raise DeadKernelError("Kernel died")', "nbclient.exceptions.DeadKernelError: Kernel died", ""].join("\n"), "process_killed", "papermill under a kernel killed for memory (find_string hit 56221450876: `DeadKernelError: Kernel died` 18 minutes into training, no traceback)"],
    [kaggleViewer(["Traceback (most recent call last):", '  File "<string>", line 1, in <module>', '  File "/usr/local/lib/python3.10/dist-packages/papermill/execute.py", line 131, in execute_notebook', "    raise_for_execution_errors(nb, output_path)", '  File "/usr/local/lib/python3.10/dist-packages/papermill/execute.py", line 251, in raise_for_execution_errors', "    raise error", "papermill.exceptions.PapermillExecutionError: ", "---------------------------------------------------------------------------", 'Exception encountered at "In [7]":', "---------------------------------------------------------------------------", "OutOfMemoryError                          Traceback (most recent call last)", "Cell In[7], line 4", "----> 4 trainer.train()", "", `OutOfMemoryError: ${TORCH_OOM}`]), "cuda_oom", "Kaggle's log viewer (`<s>s\\t<line>\\t<text>`, find_string hit 32894004167) around papermill's error"],
    [ipythonTrace("OutOfMemoryError", TORCH_OOM), "cuda_oom", "IPython 8's traceback in a notebook (Colab's form; torch 2.1+'s OutOfMemoryError as the cell prints it)"],
    [ipythonTrace("RuntimeError", "CUDA error: device-side assert triggered\nCUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\nFor debugging consider passing CUDA_LAUNCH_BLOCKING=1.\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side assertions."), "cuda_error", "IPython's traceback of a device-side assert"],
    [ipythonTrace("ModuleNotFoundError", "No module named 'peft'"), "import_error", "IPython's traceback of a missing module"],
    [ipythonTrace("OSError", "[Errno 28] No space left on device"), "disk_full", "IPython's traceback of a full disk (Colab's /content)"],
    [ipythonTrace("ValueError", "Expected input batch_size (16) to match target batch_size (8)."), "python_exception", "IPython's traceback of a shape error"],
    [ipython7Trace("RuntimeError", "CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 15.90 GiB total capacity; 14.96 GiB already allocated; 3.75 MiB free; 15.10 GiB reserved in total by PyTorch)"), "cuda_oom", "IPython 7's traceback (`<ipython-input-N-HASH>`)"],
    [nbclientCellError("ModuleNotFoundError", "No module named 'torch_missing_module'"), "import_error", "recorded here: nbclient's CellExecutionError for `import torch_missing_module` (the cell's ANSI colours kept)"],
    [nbclientCellError("OutOfMemoryError", TORCH_OOM), "cuda_oom", "nbclient's CellExecutionError in the recorded shape, the cell raising torch's OOM"],
  ],

  "2. IDEs and Windows' own reports": [
    [shellEnd(["", "Process finished with exit code 134 (interrupted by signal 6: SIGABRT)"]), "segfault", "PyCharm's run console, SIGABRT with nothing before it (its format `exit code %d (interrupted by signal %d: %s)`, as the 137 and 139 rows)"],
    [shellEnd(["", "Process finished with exit code 135 (interrupted by signal 7: SIGBUS)"]), "segfault", "PyCharm's run console, SIGBUS"],
    [shellEnd(["", "Process finished with exit code 136 (interrupted by signal 8: SIGFPE)"]), "segfault", "PyCharm's run console, SIGFPE"],
    [shellEnd(["", "Process finished with exit code 132 (interrupted by signal 4: SIGILL)"]), "segfault", "PyCharm's run console, SIGILL"],
    [shellEnd(["", "Process finished with exit code 143 (interrupted by signal 15: SIGTERM)"]), "process_killed", "PyCharm's run console, SIGTERM from outside"],
    [shellEnd(["", "Process finished with exit code -1073741676 (0xC0000094)"]), "segfault", "STATUS_INTEGER_DIVIDE_BY_ZERO as PyCharm prints it (Windows' SIGFPE; not looked up)"],
    [shellEnd(["The terminal process \"/usr/bin/bash '-c', 'python train.py --config cfg.yaml'\" terminated with exit code: 137."]), "process_killed", "VS Code's task terminal (its `terminated with exit code: N.` line, as the 3221226505 rows of the longtail round)"],
    [shellEnd(["The terminal process \"/usr/bin/bash '-c', 'python train.py --config cfg.yaml'\" terminated with exit code: 139."]), "segfault", "VS Code's task terminal, 128 + SIGSEGV"],
    [shellEnd(["The terminal process \"/usr/bin/bash '-c', 'python train.py --config cfg.yaml'\" terminated with exit code: 134."]), "segfault", "VS Code's task terminal, 128 + SIGABRT"],
    [shellEnd(["The terminal process \"C:\\Users\\me\\miniconda3\\python.exe 'train.py'\" terminated with exit code: 3221225477."]), "segfault", "VS Code's task terminal, 0xC0000005 as an unsigned decimal"],
    [windowsEvent("0xc0000409", "ucrtbase.dll"), "segfault", "Windows' Application Error event, STATUS_STACK_BUFFER_OVERRUN (the event's fields as corpus zs-kohyass-2684 holds them)"],
    [shellEnd(["Problem signature:", "  Problem Event Name:\tAPPCRASH", "  Application Name:\tpython.exe", "  Application Version:\t3.10.11150.1013", "  Fault Module Name:\tnvcuda64.dll", "  Exception Code:\tc0000005", "  Exception Offset:\t000000000002d13a"]), "segfault", "Windows Error Reporting's problem signature (Reliability Monitor's copy; not looked up)"],
    [shellEnd(["python.exe - Application Error", "The instruction at 0x00007FFB2C1E5DAA referenced memory at 0x0000000000000000. The memory could not be read.", "Click on OK to terminate the program"]), "segfault", "Windows' access-violation dialog as copied (STATUS_ACCESS_VIOLATION's message; not looked up)"],
  ],

  "3. shells: each fatal signal as bash, dash, ksh, zsh, tcsh and fish report it": [
    [shellEnd(`train-HUP.sh: line 1:  7878 Hangup                  ${CMD} HUP`), "process_killed", "recorded here: bash's script report of SIGHUP (a closed terminal or SSH session killed the run)"],
    [shellEnd(`train-USR1.sh: line 1:  7890 User defined signal 1   ${CMD} USR1`), "process_killed", "recorded here: bash's report of an unhandled SIGUSR1 (Slurm's --signal warning, sent from outside)"],
    [shellEnd(`train-XCPU.sh: line 1:  7881 CPU time limit exceeded ${CMD} XCPU`), "timeout", "recorded here: bash's report of SIGXCPU (RLIMIT_CPU; a CPU-time limit as PBS's `cput` is timeout)"],
    [shellEnd(`train-XFSZ.sh: line 1:  3941 File size limit exceeded${CMD} XFSZ`), "disk_full", "recorded here: bash's report of SIGXFSZ (RLIMIT_FSIZE: a write past the file-size limit, as a quota is disk_full)"],
    [shellEnd(`train-TRAP.sh: line 1:  7887 Trace/breakpoint trap   ${CMD} TRAP`), "segfault", "recorded here: bash's script report of SIGTRAP (a trap instruction in native code)"],
    [shellEnd(`train-FPE.sh: line 1:  7872 Floating point exception${CMD} FPE`), "segfault", "recorded here: bash's script report of SIGFPE, the name as wide as its column so no space follows it"],
    [shellEnd("Hangup"), "process_killed", "recorded here: dash's (and bash's foreground) SIGHUP report"],
    [shellEnd("CPU time limit exceeded"), "timeout", "recorded here: dash's SIGXCPU report"],
    [shellEnd("File size limit exceeded"), "disk_full", "recorded here: dash's SIGXFSZ report"],
    [shellEnd("User defined signal 1"), "process_killed", "recorded here: dash's SIGUSR1 report"],
    [shellEnd("Trace/breakpoint trap"), "segfault", "recorded here: dash's SIGTRAP report"],
    [shellEnd("Aborted"), "segfault", "recorded here: dash's SIGABRT report, with nothing before it"],
    [shellEnd(`[1]+  Segmentation fault      ${CMD} SEGV`), "segfault", "recorded here: bash's job table (a terminal's background job), SIGSEGV"],
    [shellEnd(`[1]+  Aborted                 ${CMD} ABRT`), "segfault", "recorded here: bash's job table, SIGABRT"],
    [shellEnd(`[1]+  Floating point exception${CMD} FPE`), "segfault", "recorded here: bash's job table, SIGFPE (no space after the name)"],
    [shellEnd(`[1]+  CPU time limit exceeded ${CMD} XCPU`), "timeout", "recorded here: bash's job table, SIGXCPU"],
    [shellEnd(`[1]+  Killed                  ${CMD} KILL`), "process_killed", "recorded here: bash's job table, SIGKILL"],
    [shellEnd(`[1]+  Terminated              ${CMD} TERM`), "process_killed", "recorded here: bash's job table, SIGTERM to the training job (the bare `Terminated` of a foreground job stays no crash, see the near misses)"],
    [shellEnd("train-SEGV.sh: line 1: 4037: Memory fault"), "segfault", "recorded here: ksh93's script report of SIGSEGV (`Memory fault`)"],
    [shellEnd("Memory fault(coredump)"), "segfault", "ksh93's foreground report with a core (its `(coredump)` suffix; the name recorded here)"],
    [shellEnd("train-ABRT.sh: line 1: 4059: Abort"), "segfault", "recorded here: ksh93's SIGABRT report"],
    [shellEnd("train-FPE.sh: line 1: 4065: Floating exception"), "segfault", "recorded here: ksh93's SIGFPE report"],
    [shellEnd("train-TRAP.sh: line 1: 4080: Trace/BPT trap"), "segfault", "recorded here: ksh93's SIGTRAP report"],
    [shellEnd("train-KILL.sh: line 1: 4034: Killed"), "process_killed", "recorded here: ksh93's SIGKILL report"],
    [shellEnd("train-XCPU.sh: line 1: 4074: Exceeded CPU time limit"), "timeout", "recorded here: ksh93's SIGXCPU report"],
    [shellEnd("train-XFSZ.sh: line 1: 4077: Exceeded file size limit"), "disk_full", "recorded here: ksh93's SIGXFSZ report"],
    [shellEnd("train-USR1.sh: line 1: 4083: User signal 1"), "process_killed", "recorded here: ksh93's SIGUSR1 report"],
    [shellEnd(`zsh: IOT instruction  ${CMD} ABRT`), "segfault", "recorded here: zsh 5.9's report of SIGABRT on Linux (`IOT instruction`, SIGIOT's name)"],
    [shellEnd(`zsh: trace trap  ${CMD} TRAP`), "segfault", "recorded here: zsh's SIGTRAP report"],
    [shellEnd(`zsh: cpu limit exceeded  ${CMD} XCPU`), "timeout", "recorded here: zsh's SIGXCPU report"],
    [shellEnd(`zsh: terminated  ${CMD} TERM`), "process_killed", "recorded here: zsh's SIGTERM report naming the training command"],
    [shellEnd(`[1]  + segmentation fault  ${CMD} SEGV`), "segfault", "recorded here: zsh's job report, SIGSEGV"],
    [shellEnd(`[1]  + IOT instruction  ${CMD} ABRT`), "segfault", "recorded here: zsh's job report, SIGABRT"],
    [shellEnd(`[1]  + killed     ${CMD} KILL`), "process_killed", "recorded here: zsh's job report, SIGKILL"],
    [shellEnd("Abort"), "segfault", "recorded here: tcsh's SIGABRT report (csh's signal names)"],
    [shellEnd("Floating exception"), "segfault", "recorded here: tcsh's SIGFPE report"],
    [shellEnd("Trace/BPT trap"), "segfault", "recorded here: tcsh's SIGTRAP report"],
    [shellEnd("Cputime limit exceeded"), "timeout", "recorded here: tcsh's SIGXCPU report"],
    [shellEnd("Filesize limit exceeded"), "disk_full", "recorded here: tcsh's SIGXFSZ report"],
    [shellEnd(`[1]  + Segmentation fault            ${CMD} SEGV`), "segfault", "recorded here: tcsh's job report, SIGSEGV"],
    [shellEnd(`[1]  + Abort                         ${CMD} ABRT`), "segfault", "recorded here: tcsh's job report, SIGABRT"],
    [shellEnd("fish: Job 1, '/usr/bin/python3 train.py --die…' terminated by signal SIGABRT (Abort)"), "segfault", "recorded here: fish 3.6's report of SIGABRT (the command cut with `…`)"],
    [shellEnd("fish: Job 1, '/usr/bin/python3 train.py --die…' terminated by signal SIGBUS (Misaligned address error)"), "segfault", "recorded here: fish's SIGBUS report"],
    [shellEnd("fish: Job 1, '/usr/bin/python3 train.py --die…' terminated by signal SIGTRAP (Trace or breakpoint trap)"), "segfault", "recorded here: fish's SIGTRAP report"],
    [shellEnd("fish: Job 1, '/usr/bin/python3 train.py --die…' terminated by signal SIGXCPU (CPU time limit exceeded)"), "timeout", "recorded here: fish's SIGXCPU report"],
    [shellEnd("fish: Job 1, '/usr/bin/python3 train.py --die…' terminated by signal SIGTERM (Polite quit request)"), "process_killed", "recorded here: fish's SIGTERM report"],
  ],

  "4. coreutils and job runners: timeout, xargs, nohup, conda run": [
    [shellEnd(["timeout: sending signal TERM to command ‘/usr/bin/python3’"]), "timeout", "recorded here: `timeout --verbose 1 python3 ...` reaching its limit (exit 124)"],
    [shellEnd(["timeout: sending signal TERM to command ‘/usr/bin/python3’", "timeout: sending signal KILL to command ‘/usr/bin/python3’"]), "timeout", "recorded here: `timeout --verbose -k 1 1` when the trainer ignores SIGTERM (exit 137): the kill is the time limit's"],
    [shellEnd(["timeout: sending signal KILL to command 'python'"]), "timeout", "`timeout -s KILL` in the C locale (ASCII quotes; the curly ones recorded here under C.UTF-8)"],
    [shellEnd(["Error: Process completed with exit code 124."]), "timeout", "a CI runner's step ended by `timeout` (exit 124, coreutils' `timed out` status; the runner's line as EXIT_REPORT knows it)"],
    [shellEnd("xargs: /usr/bin/python3: terminated by signal 9"), "process_killed", "recorded here: xargs (findutils) reporting a child killed by SIGKILL (exit 125)"],
    [shellEnd("xargs: /usr/bin/python3: terminated by signal 11"), "segfault", "recorded here: xargs reporting a child's SIGSEGV"],
    [[...PROGRESS, "Traceback (most recent call last):", '  File "/workspace/train.py", line 212, in <module>', "    main()", '  File "/workspace/train.py", line 187, in main', "    loss = train_step(model, batch, optimizer)", `torch.OutOfMemoryError: ${TORCH_OOM}`, "", "ERROR conda.cli.main_run:execute(124): `conda run python train.py` failed. (See above for error)", ""].join("\n"), "cuda_oom", "`conda run` repeating the failure after the trainer's OOM (corpus: zzq-mamba-317-selective-scan-undefined-symbol holds the line after an ImportError)"],
    [[...PROGRESS, "ERROR conda.cli.main_run:execute(49): `conda run python train.py` failed. (See above for error)", "Killed", ""].join("\n"), "process_killed", "`conda run` and the calling shell's `Killed` (older conda's execute(49))"],
  ],

  "5. containers: Docker, the NVIDIA container toolkit, Singularity / Apptainer, enroot / pyxis": [
    [dockerState(true, 137), "process_killed", "`docker inspect` after the container's memory limit was hit (find_string hit 4470497169: `\"OOMKilled\": true` with `\"ExitCode\": 137`)"],
    [dockerState(false, 139), "segfault", "`docker inspect` of a container whose process died by SIGSEGV (exit 139)"],
    [dockerPs("Exited (137) 5 minutes ago"), "process_killed", "`docker ps -a`, 128 + SIGKILL"],
    [dockerPs("Exited (134) 5 minutes ago"), "segfault", "`docker ps -a`, 128 + SIGABRT"],
    [shellEnd(["2024-05-02T10:11:12.345678901Z container oom 3f2a9c1d7b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8 (image=trainer:latest, name=trainer)", "2024-05-02T10:11:12.401234567Z container die 3f2a9c1d7b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8 (exitCode=137, image=trainer:latest, name=trainer)"]), "process_killed", "`docker events`: the memory cgroup's OOM event, then the container's death (the events' format as known, not looked up)"],
    [shellEnd(["trainer-1 exited with code 134"]), "segfault", "docker compose's exit report, 128 + SIGABRT"],
    [["$ docker run --rm --gpus all trainer:latest python train.py", 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].', "", "Run 'docker run --help' for more information", ""].join("\n"), "cuda_error", "Docker without the NVIDIA container toolkit (find_string hits 42637216084, 66017347729, 1569176989): the container cannot reach the GPU's driver"],
    [["$ docker run --rm --runtime=nvidia trainer:latest python train.py", "docker: Error response from daemon: unknown or invalid runtime name: nvidia.", "See 'docker run --help'.", ""].join("\n"), "cuda_error", "Docker asked for the nvidia runtime it does not have (find_string hit 52679210839)"],
    [dockerHook("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object file: no such file or directory"), "import_error", "the toolkit's hook without the driver's NVML library (find_string hits 71257898521, 63200144656): a missing shared library"],
    [dockerHook("nvidia-container-cli: initialization error: nvml error: driver not loaded"), "cuda_error", "the hook on a host whose NVIDIA driver is not loaded (libnvidia-container's nvml error; not looked up)"],
    [dockerHook("nvidia-container-cli: initialization error: nvml error: driver/library version mismatch"), "cuda_error", "the hook after a driver upgrade without a reboot (find_string hit 60792220171)"],
    [dockerHook("nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.8, please update your driver to a newer version, or use an earlier cuda container"), "cuda_error", "an image needing a newer driver than the host's (find_string hits 21149222085, 46968649831, 58529057355): `CUDA driver version is insufficient` before the process starts"],
    [dockerHook("nvidia-container-cli: initialization error: WSL environment detected but no adapters were found"), "cuda_error", "Docker Desktop on WSL2 without a GPU adapter (find_string hits 63093060721, 54631845677)"],
    [["INFO:    Creating SIF file...", "FATAL:   While making image from oci registry: error fetching image to cache: while building SIF from layers: while creating SIF: while creating container: writing data object for SIF file: copying data object file to SIF file: write /large_file/vagrant/.singularity/cache/oci-tmp/tmp_160406455: no space left on device", ""].join("\n"), "disk_full", "Singularity building an image with no room in its cache (https://github.com/apptainer/singularity/issues/5901)"],
    [["INFO:    Creating SIF file...", "FATAL:   While performing build: while creating squashfs: create command failed: exit status 1: Write failed because No space left on device", "FATAL ERROR: Failed to write to output filesystem", ""].join("\n"), "disk_full", "Singularity's squashfs step out of space (https://github.com/apptainer/singularity/issues/6500)"],
    [["INFO:    Extracting OCI image...", "FATAL:   While making image from oci registry: error fetching image to cache: while building SIF from layers: packer failed to pack: while unpacking tmpfs: error unpacking rootfs: unpack entry: extra/fsl/fslpython/pkgs/python-3.7.1-h0371630_7/lib/python3.7/configparser.py: unpack to regular file: short write: write /tmp/build-temp-1651613624/rootfs/extra/fsl/fslpython/pkgs/python-3.7.1-h0371630_7/lib/python3.7/configparser.py: no space left on device", ""].join("\n"), "disk_full", "Apptainer unpacking into a full /tmp (https://github.com/MASILab/Synb0-DISCO/issues/75)"],
    [["WARNING: Could not find any nv files on this host!", "Traceback (most recent call last):", '  File "/workspace/train.py", line 31, in <module>', "    model = model.cuda()", "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx", ""].join("\n"), "cuda_error", "Singularity's `--nv` finding no driver files, then torch (the warning's text from Singularity's nvidia bind code, not looked up)"],
    [pyxis(["nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object file: no such file or directory", "[ERROR] /etc/enroot/hooks.d/98-nvidia.sh exited with return code 1"]), "import_error", "pyxis printing enroot's NVIDIA hook failing to load NVML (pyxis's lines from find_string hits 3176121905, 4813806270; the hook's message as Docker's rows)"],
    [pyxis(["nvidia-container-cli: requirement error: unsatisfied condition: cuda>=12.4, please update your driver to a newer version, or use an earlier cuda container", "[ERROR] /etc/enroot/hooks.d/98-nvidia.sh exited with return code 1"]), "cuda_error", "pyxis: an image needing a newer driver than the node's"],
  ],

  "6. service managers: systemd, supervisord, pm2": [
    [journal(["train.service: Main process exited, code=dumped, status=6/ABRT", "train.service: Failed with result 'core-dump'."]), "segfault", "systemd's unit report for SIGABRT with a core (src/core/service.c; find_string hits 31303146022, 42113551735)"],
    [journal(["train.service: Main process exited, code=killed, status=11/SEGV", "train.service: Failed with result 'signal'."]), "segfault", "systemd, SIGSEGV without a core"],
    [journal(["train.service: Main process exited, code=killed, status=15/TERM", "train.service: Failed with result 'signal'."]), "process_killed", "systemd, a SIGTERM not sent by a stop"],
    [journal(["train.service: A process of this unit has been killed by the OOM killer.", "train.service: Main process exited, code=killed, status=9/KILL", "train.service: Failed with result 'oom-kill'.", "train.service: Consumed 2h 3min 12.345s CPU time."]), "process_killed", "systemd's OOM-kill sequence (find_string hits 37684216735, 59779576555)"],
    [journal(["train.service: A process of this unit has been killed by the OOM killer."]), "process_killed", "systemd's OOM-kill notice alone (find_string hits 63049639120, 9302565536)"],
    [journal(["run-r3f2a9c1d7b4e.scope: A process of this unit has been killed by the OOM killer.", "run-r3f2a9c1d7b4e.scope: Failed with result 'oom-kill'."]), "process_killed", "a `systemd-run --scope -p MemoryMax=` wrapper's OOM kill (find_string hit 54146076024 runs a notebook that way)"],
    [["May 02 10:11:12 gpu-node-07 systemd-oomd[812]: Killed /user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-code-48213.scope due to memory pressure for /user.slice/user-1000.slice/user@1000.service being 62.34% > 50.00% for > 20s with reclaim activity", ""].join("\n"), "process_killed", "systemd-oomd's kill (src/oom/oomd-util.c; corpus: zenn-ykesamaru-oomd-killed-training-scope)"],
    [journal(["train.service: Watchdog timeout (limit 30s)!", "train.service: Killing process 48213 (python3) with signal SIGABRT.", "train.service: Main process exited, code=dumped, status=6/ABRT", "train.service: Failed with result 'watchdog'."]), "timeout", "systemd's watchdog killing a unit that stopped notifying (find_string hit 58588649917; result 'watchdog'): the abort is the watchdog's, the run hung"],
    [journal(["train.service: Main process exited, code=exited, status=1/FAILURE", "train.service: Failed with result 'exit-code'."], ["Traceback (most recent call last):", '  File "/opt/train/train.py", line 212, in <module>', "    main()", `torch.OutOfMemoryError: ${TORCH_OOM}`]), "cuda_oom", "a journal holding the trainer's traceback under its `python3[PID]: ` prefix, then systemd's exit-code result"],
    [supervisor(["2026-12-07 12:26:09,502 WARN exited: train (terminated by SIGKILL; not expected)"]), "process_killed", "recorded here: supervisord 4.2.5 after the trainer's SIGKILL"],
    [supervisor(["2026-12-07 12:26:09,501 WARN exited: train (terminated by SIGSEGV; not expected)"]), "segfault", "recorded here: supervisord after SIGSEGV"],
    [supervisor(["2026-12-07 12:26:09,463 WARN exited: train (terminated by SIGABRT; not expected)"]), "segfault", "recorded here: supervisord after SIGABRT"],
    [supervisor(["2026-12-07 12:26:09,501 WARN exited: train (terminated by SIGSEGV (core dumped); not expected)"]), "segfault", "supervisord after SIGSEGV with a core (supervisor/options.py decode_wait_status appends ` (core dumped)`; the core itself not recorded here)"],
    [supervisor(["2026-12-07 12:26:09,429 WARN exited: train (exit status 137; not expected)"]), "process_killed", "recorded here: supervisord, a program ending with status 137 (a shell wrapper's child killed)"],
    [supervisor(["2026-12-07 12:26:09,481 WARN exited: train (terminated by SIGKILL; not expected)", "2026-12-07 12:26:10,506 INFO spawned: 'train' with pid 10776", "2026-12-07 12:26:10,529 WARN exited: train (terminated by SIGKILL; not expected)", "2026-12-07 12:26:12,534 INFO spawned: 'train' with pid 10880", "2026-12-07 12:26:12,568 WARN exited: train (terminated by SIGKILL; not expected)", "2026-12-07 12:26:12,568 INFO gave up: train entered FATAL state, too many start retries too quickly"]), "process_killed", "recorded here: supervisord restarting a program killed each time, then giving up"],
    [pm2(["App [train:0] exited with code [0] via signal [SIGKILL]", "App [train:0] starting in -fork mode-"]), "process_killed", "pm2's daemon log after a SIGKILL (lib/God.js `exited with code [%s] via signal [%s]`; find_string hits 61313374932, 63512938457)"],
    [pm2(["App [train:0] exited with code [0] via signal [SIGSEGV]"]), "segfault", "pm2 after SIGSEGV (the same format)"],
    [pm2(["[PM2][WORKER] Process 0 restarted because it exceeds --max-memory-restart value (current_memory=34359738368 max_memory_limit=32212254720 [octets])", "App [train:0] exited with code [0] via signal [SIGINT]"]), "process_killed", "pm2's memory monitor restarting the trainer (lib/Worker.js; find_string hits 93848760, 69496106237): a memory monitor's kill"],
  ],

  "7. near misses: the same words in healthy runs": [
    [healthy(["[I 2026-01-09 10:02:11.017 ServerApp] Kernel restarted: 2fb85dd2-84c3-49dc-9395-26c8dfdbee4b", "[I 2026-01-09 10:02:11.530 ServerApp] Connecting to kernel 2fb85dd2-84c3-49dc-9395-26c8dfdbee4b."]), "none", "a kernel the user restarted from the menu (jupyter_server's `Kernel restarted: %s`; not looked up), then the notebook trains"],
    [healthy(["[I 2026-01-09 10:02:11.017 ServerApp] Kernel shutdown: 2fb85dd2-84c3-49dc-9395-26c8dfdbee4b"]), "none", "a kernel shut down on purpose"],
    [healthy(["Restarting kernel...", ""]), "none", "Spyder's restart on request (the `died=False` message of find_string hit 3090321964)"],
    [healthy(["✨🍰✨ Everything looks OK!", "🔁 Restarting kernel...", "Your session crashed for an unknown reason.", "conda 4.9.2"]), "none", "condacolab's deliberate restart, whose notice the setup says to ignore (find_string hits 3249119578, 34131362920), then the notebook trains"],
    [healthy(["If the kernel appears to have died, lower --batch_size or set max_memory_MB in the config."]), "none", "a training script's printed hint quoting Jupyter's dialog (constructed)"],
    [healthy(["wandb not available (No module named 'wandb'); logging metrics to ./logs/metrics.csv"]), "none", "a notebook cell that caught an ImportError, printed it and went on (constructed)"],
    [supervisor(["2026-12-07 12:26:09,472 INFO exited: train (exit status 0; expected)"]), "none", "recorded here: supervisord after a run that finished"],
    [pm2(["Stopping app:train id:0", "App [train:0] exited with code [0] via signal [SIGINT]", "pid=48213 msg=process killed"]), "none", "pm2 stopping the app on request with SIGINT (find_string hit 67130337761's `Stopping app`)"],
    [journal(["train.service: Deactivated successfully.", "Finished train.service - Fine-tune run.", "train.service: Consumed 2h 3min 12.345s CPU time."]), "none", "systemd after a unit that finished"],
    [dockerState(false, 0), "none", "`docker inspect` of a container that finished: `\"OOMKilled\": false` must not read as an OOM kill"],
    [dockerPs("Exited (0) 2 minutes ago"), "none", "`docker ps -a` of a finished container"],
    [shellEnd(["Training completed.", "trainer-1 exited with code 0"]), "none", "docker compose after a finished run"],
    [healthy(["nohup: ignoring input and appending output to 'nohup.out'"]), "none", "recorded here: nohup's notice at the start of a run"],
    [shellEnd(["Training completed.", "", "Process finished with exit code 130 (interrupted by signal 2: SIGINT)"]), "none", "PyCharm after the user stopped the run with its stop button (SIGINT)"],
    [healthy([`./train.sh: line 30: 48999 Terminated              nvidia-smi dmon -s u`]), "none", "bash reporting the monitor the script stopped, then training goes on"],
    [healthy(["fish: Job 2, 'nvidia-smi dmon -s u &' terminated by signal SIGTERM (Polite quit request)"]), "none", "fish reporting a helper job the user stopped, then training goes on"],
    [shellEnd(["Training completed.", "Terminated"]), "none", "bash's bare `Terminated` after a finished run (a trap killing the script's monitor)"],
    [healthy(["WARNING: Could not find any nv files on this host!"]), "none", "Singularity's warning on a CPU run that trains on"],
    [shellEnd(["Training completed.", "[screen is terminating]"]), "none", "screen's notice when the session's shell exits"],
  ],
};

testDictionary("crash rules dictionary, sixth round: notebooks, IDEs, shells, containers and service managers", FAMILIES, primaryOf);
