/**
 * Crash rules by enumeration from the sources, sixth round (issue 10; docs/crash-accuracy.md, items 700-): the data
 * pipeline, the texts that reading, decoding and writing training data print when a run ends (Pillow, OpenCV,
 * torchvision, torchaudio, soundfile, librosa, PyAV, decord and ffmpeg; HDF5 / h5py, LMDB, zarr, netCDF, numpy, pickle,
 * pandas, Arrow / Parquet, datasets, TFRecord, webdataset / tar, JSON and YAML; the DataLoader's own reports), each in the
 * line shape it is printed in, inside a short traceback or log tail, with the category the corpus's conventions give
 * it: a corrupt or cut data file is python_exception (checkpoint_corrupt is for checkpoints, weights and saved trainer
 * state only), a write that fails for space is disk_full, a reader that fails to allocate is host_oom, a DataLoader
 * timeout is timeout, a worker killed by a signal follows the signal. Group 5 holds the same words about checkpoints,
 * which stay checkpoint_corrupt; `none` rows are near misses: the same words in healthy runs (a decoder's warning, a
 * sample the loader skips).
 *
 * Sources: `recorded here` is output of a real process on the development machine, recorded by
 * test/fixtures/crash/recorded/data-pipeline.py (Debian bookworm's system Python 3.11 with Pillow 9.4, h5py 3.7, lmdb
 * 1.4, pandas 1.5, numpy 1.24, PyYAML 6.0, soundfile 0.12, OpenCV 4.6 and torch 1.13; the data paths in the rows are
 * the recording's paths renamed to `/data/...`); an issue URL is a public thread quoting the text in a real log;
 * `find_string hit N` is a public repository file the search tool does not name, cited by its hit id; `corpus: ...` is
 * a studied corpus entry holding the text with its label; a row marked `not looked up` quotes a text as known from the
 * project's sources without a look-up this round.
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-data-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

const SITE = "/usr/local/lib/python3.10/dist-packages";
/** Where Debian's packages live: the recorded rows' frames. */
const DEB = "/usr/lib/python3/dist-packages";

/** The training loop's frames down to torch 2.x's DataLoader re-raising what a worker sent (torch/_utils.py reraise). */
const LOADER_RERAISE = [
  "  File \"/workspace/train.py\", line 140, in train_one_epoch",
  "    for step, batch in enumerate(train_loader):",
  `  File "${SITE}/torch/utils/data/dataloader.py", line 701, in __next__`,
  "    data = self._next_data()",
  `  File "${SITE}/torch/utils/data/dataloader.py", line 1465, in _next_data`,
  "    return self._process_data(data)",
  `  File "${SITE}/torch/utils/data/dataloader.py", line 1491, in _process_data`,
  "    data.reraise()",
  `  File "${SITE}/torch/_utils.py", line 715, in reraise`,
  "    raise exception",
];

/** A worker's frames down to the dataset's `__getitem__` (torch/utils/data/_utils/worker.py, fetch.py). */
const WORKER_FRAMES = [
  `  File "${SITE}/torch/utils/data/_utils/worker.py", line 351, in _worker_loop`,
  "    data = fetcher.fetch(index)  # type: ignore[possibly-undefined]",
  `  File "${SITE}/torch/utils/data/_utils/fetch.py", line 52, in fetch`,
  "    data = [self.dataset[idx] for idx in possibly_batched_index]",
];

/**
 * An exception a DataLoader worker raised, as the main process prints it: `<Type>: Caught <Type> in DataLoader worker
 * process N.`, the worker's `Original Traceback` through the dataset's `getitem` line, then `inner` (the reader's
 * frames and the exception line).
 */
function workerCaught(type: string, getitem: string, inner: string[], worker = 3): string {
  const short = type.split(".").at(-1)!;
  return pyTrace([
    `${type}: Caught ${short} in DataLoader worker process ${worker}.`,
    "Original Traceback (most recent call last):",
    ...WORKER_FRAMES,
    '  File "/workspace/data/dataset.py", line 88, in __getitem__',
    `    ${getitem}`,
    ...inner,
    "",
  ], LOADER_RERAISE);
}

/** The same exception raised in the main process (num_workers=0): the fetcher calls the dataset's `__getitem__`. */
function inGetitem(getitem: string, inner: string[]): string {
  return pyTrace([
    `  File "${SITE}/torch/utils/data/dataloader.py", line 757, in _next_data`,
    "    data = self._dataset_fetcher.fetch(index)  # may raise StopIteration",
    `  File "${SITE}/torch/utils/data/_utils/fetch.py", line 52, in fetch`,
    "    data = [self.dataset[idx] for idx in possibly_batched_index]",
    '  File "/workspace/data/dataset.py", line 88, in __getitem__',
    `    ${getitem}`,
    ...inner,
  ], ["  File \"/workspace/train.py\", line 140, in train_one_epoch", "    for step, batch in enumerate(train_loader):", `  File "${SITE}/torch/utils/data/dataloader.py", line 701, in __next__`, "    data = self._next_data()"]);
}

/** A dataset built before training (its `__init__` reading an index, a cache or a container file). */
function inDatasetInit(call: string, inner: string[]): string {
  return pyTrace([
    "  File \"/workspace/train.py\", line 96, in build_loaders",
    "    train_set = FeatureDataset(cfg.data.train)",
    '  File "/workspace/data/dataset.py", line 41, in __init__',
    `    ${call}`,
    ...inner,
  ]);
}

/** A preprocessing script writing features or shards (its own loop, no trainer). */
function inPreprocess(call: string, inner: string[]): string {
  return [
    "Extracting features: 62%|██████▏   | 31042/50000 [41:12<25:09, 12.56it/s]",
    "Traceback (most recent call last):",
    '  File "/workspace/tools/preprocess.py", line 133, in <module>',
    "    main()",
    '  File "/workspace/tools/preprocess.py", line 121, in main',
    `    ${call}`,
    ...inner,
    "",
  ].join("\n");
}

/** Python 3.11's caret lines under a call, as the recorded torch 1.13 output shows them. */
const CARETS = "           ^^^^^^^^^^^^^^^^^";

/**
 * torch 1.13's report of a worker that died of a signal, as recorded here (`signal_handling.py`'s SIGCHLD handler raising
 * while the main process waits on the queue, chained to `exited unexpectedly`), after `before` (what the worker printed).
 */
function workerSignal(reason: string, pid: number, before: string[] = [], lead = ""): string {
  return [
    ...PROGRESS,
    ...before,
    `${lead}Traceback (most recent call last):`,
    `  File "${DEB}/torch/utils/data/dataloader.py", line 1120, in _try_get_data`,
    "    data = self._data_queue.get(timeout=timeout)",
    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    '  File "/usr/lib/python3.11/multiprocessing/queues.py", line 113, in get',
    "    if not self._poll(timeout):",
    "           ^^^^^^^^^^^^^^^^^^^",
    '  File "/usr/lib/python3.11/multiprocessing/connection.py", line 256, in poll',
    "    return self._poll(timeout)",
    "           ^^^^^^^^^^^^^^^^^^^",
    '  File "/usr/lib/python3.11/multiprocessing/connection.py", line 423, in _poll',
    "    r = wait([self], timeout)",
    "        ^^^^^^^^^^^^^^^^^^^^^",
    '  File "/usr/lib/python3.11/multiprocessing/connection.py", line 930, in wait',
    "    ready = selector.select(timeout)",
    "            ^^^^^^^^^^^^^^^^^^^^^^^^",
    '  File "/usr/lib/python3.11/selectors.py", line 415, in select',
    "    fd_event_list = self._selector.poll(timeout)",
    "                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    `  File "${DEB}/torch/utils/data/_utils/signal_handling.py", line 66, in handler`,
    "    _error_if_any_worker_fails()",
    `RuntimeError: DataLoader worker (pid ${pid}) is killed by signal: ${reason}`,
    "",
    "The above exception was the direct cause of the following exception:",
    "",
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 10, in <module>',
    `  File "${DEB}/torch/utils/data/dataloader.py", line 628, in __next__`,
    "    data = self._next_data()",
    CARETS,
    `  File "${DEB}/torch/utils/data/dataloader.py", line 1316, in _next_data`,
    "    idx, data = self._get_data()",
    "                ^^^^^^^^^^^^^^^^",
    `  File "${DEB}/torch/utils/data/dataloader.py", line 1282, in _get_data`,
    "    success, data = self._try_get_data()",
    "                    ^^^^^^^^^^^^^^^^^^^^",
    `  File "${DEB}/torch/utils/data/dataloader.py", line 1133, in _try_get_data`,
    "    raise RuntimeError('DataLoader worker (pid(s) {}) exited unexpectedly'.format(pids_str)) from e",
    `RuntimeError: DataLoader worker (pid(s) ${pid}) exited unexpectedly`,
    "",
  ].join("\n");
}

/** tf.data's iterator failing under Keras' fit (TF 2.x eager): the op's error and its node. */
function tfIterator(error: string): string {
  return pyTrace([
    `  File "${SITE}/keras/src/utils/traceback_utils.py", line 70, in error_handler`,
    "    raise e.with_traceback(filtered_tb) from None",
    `  File "${SITE}/tensorflow/python/eager/execute.py", line 53, in quick_execute`,
    "    tensors = pywrap_tfe.TFE_Py_Execute(ctx._handle, device_name, op_name,",
    error,
  ], ["  File \"/workspace/train.py\", line 77, in fit", "    model.fit(train_ds, epochs=cfg.epochs, validation_data=val_ds)"]);
}

/** The Hugging Face `datasets` builder preparing a split (datasets/builder.py), the reader's error raised inside it. */
function datasetsBuild(inner: string[]): string {
  return pyTrace([
    `  File "${SITE}/datasets/builder.py", line 1597, in _prepare_split_single`,
    "    for _, table in generator:",
    ...inner,
    "",
    "The above exception was the direct cause of the following exception:",
    "",
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 58, in <module>',
    "    raw = load_dataset(\"json\", data_files=cfg.train_files, split=\"train\")",
    `  File "${SITE}/datasets/builder.py", line 1616, in _prepare_split_single`,
    '    raise DatasetGenerationError("An error occurred while generating the dataset") from e',
    "datasets.exceptions.DatasetGenerationError: An error occurred while generating the dataset",
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// The table.

const FAMILIES: Record<string, Row[]> = {
  "1. images, video and audio decoders": [
    [workerCaught("OSError", "img = Image.open(path).convert(\"RGB\")", [
      `  File "${SITE}/PIL/Image.py", line 922, in convert`,
      "    self.load()",
      `  File "${SITE}/PIL/ImageFile.py", line 255, in load`,
      '    raise OSError(msg)',
      "OSError: image file is truncated (7 bytes not processed)",
    ]), "python_exception", "Pillow's ImageFile.load in a worker (FCOS#238 https://github.com/tianzhi0549/FCOS/issues/238, stylegan2-pytorch#7, aimet#1685: `OSError: Caught OSError in DataLoader worker process 0.`); a cut data image"],
    [inGetitem("img = Image.open(path).convert(\"RGB\")", [
      `  File "${DEB}/PIL/Image.py", line 937, in convert`,
      "    self.load()",
      `  File "${DEB}/PIL/ImageFile.py", line 266, in load`,
      "    raise OSError(msg)",
      "OSError: image file is truncated (2 bytes not processed)",
    ]), "python_exception", "recorded here: data-pipeline.py pil_truncated (a JPEG cut by 600 bytes), with num_workers=0"],
    [[
      ...PROGRESS,
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 10, in <module>',
      `  File "${DEB}/torch/utils/data/dataloader.py", line 628, in __next__`,
      "    data = self._next_data()",
      CARETS,
      `  File "${DEB}/torch/utils/data/dataloader.py", line 1333, in _next_data`,
      "    return self._process_data(data)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^",
      `  File "${DEB}/torch/utils/data/dataloader.py", line 1359, in _process_data`,
      "    data.reraise()",
      `  File "${DEB}/torch/_utils.py", line 543, in reraise`,
      "    raise exception",
      "PIL.UnidentifiedImageError: Caught UnidentifiedImageError in DataLoader worker process 0.",
      "Original Traceback (most recent call last):",
      `  File "${DEB}/torch/utils/data/_utils/worker.py", line 302, in _worker_loop`,
      "    data = fetcher.fetch(index)",
      "           ^^^^^^^^^^^^^^^^^^^^",
      `  File "${DEB}/torch/utils/data/_utils/fetch.py", line 58, in fetch`,
      "    data = [self.dataset[idx] for idx in possibly_batched_index]",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      `  File "${DEB}/torch/utils/data/_utils/fetch.py", line 58, in <listcomp>`,
      "    data = [self.dataset[idx] for idx in possibly_batched_index]",
      "            ~~~~~~~~~~~~^^^^^",
      '  File "/workspace/data/dataset.py", line 9, in __getitem__',
      `  File "${DEB}/PIL/Image.py", line 3283, in open`,
      "    raise UnidentifiedImageError(msg)",
      "PIL.UnidentifiedImageError: cannot identify image file '/data/train/0002.jpg'",
      "",
      "",
    ].join("\n"), "python_exception", "recorded here: data-pipeline.py dl_worker_exception (an HTML error page saved as a .jpg, read by a worker)"],
    [inGetitem("img = Image.open(io.BytesIO(sample[\"jpg\"]))", [
      `  File "${SITE}/PIL/Image.py", line 3339, in open`,
      "    raise UnidentifiedImageError(msg)",
      "PIL.UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7f1c2a3b5e50>",
    ]), "python_exception", "Pillow's open on bytes from a shard (PIL/Image.py `cannot identify image file %r`; not looked up)"],
    [inGetitem("img = Image.open(path)", [
      `  File "${DEB}/PIL/Image.py", line 3236, in open`,
      "    _decompression_bomb_check(im.size)",
      `  File "${DEB}/PIL/Image.py", line 3145, in _decompression_bomb_check`,
      "    raise DecompressionBombError(msg)",
      "PIL.Image.DecompressionBombError: Image size (400000000 pixels) exceeds limit of 178956970 pixels, could be decompression bomb DOS attack.",
    ]), "python_exception", "recorded here: data-pipeline.py pil_bomb (a 20000x20000 PNG)"],
    [inGetitem("img = Image.open(path).convert(\"RGB\")", [
      `  File "${SITE}/PIL/ImageFile.py", line 288, in load`,
      '    raise OSError("broken data stream when reading image file")',
      "OSError: broken data stream when reading image file",
    ]), "python_exception", "Pillow's ImageFile.load on a damaged stream (not looked up)"],
    [inGetitem("img = Image.open(path)", [
      `  File "${SITE}/PIL/PngImagePlugin.py", line 732, in _open`,
      '    raise SyntaxError("not a PNG file")',
      "SyntaxError: not a PNG file",
    ]), "python_exception", "Pillow's PNG plugin on a file that is not one (not looked up)"],
    [inPreprocess("img.save(out_path, quality=95)", [
      `  File "${SITE}/PIL/JpegImagePlugin.py", line 639, in _save`,
      '    raise OSError(msg) from e',
      "OSError: cannot write mode RGBA as JPEG",
    ]), "python_exception", "Pillow's JPEG writer refusing an alpha channel (not looked up)"],
    [[
      ...PROGRESS,
      "[ WARN:0@0.072] global ./modules/imgcodecs/src/loadsave.cpp (239) findDecoder imread_('/data/train/missing.jpg'): can't open/read file: check file path/integrity",
      "Traceback (most recent call last):",
      '  File "/workspace/data/dataset.py", line 6, in <module>',
      "cv2.error: OpenCV(4.6.0) ./modules/imgproc/src/color.cpp:182: error: (-215:Assertion failed) !_src.empty() in function 'cvtColor'",
      "",
      "",
    ].join("\n"), "python_exception", "recorded here: data-pipeline.py cv2_empty (imread of a missing file, then cvtColor; find_string hits 42728139043, 3707004596 show the same line)"],
    [workerCaught("cv2.error", "img = cv2.resize(img, (self.size, self.size))", [
      "cv2.error: OpenCV(4.8.0) /io/opencv/modules/imgproc/src/resize.cpp:4062: error: (-215:Assertion failed) !ssize.empty() in function 'resize'",
    ], 1), "python_exception", "OpenCV's resize on an image imread could not read, in a worker (the same assertion shape; not looked up)"],
    [inGetitem("h, w = img.shape[:2]", [
      "AttributeError: 'NoneType' object has no attribute 'shape'",
    ]), "python_exception", "cv2.imread returning None for an unreadable file (not looked up)"],
    [inGetitem("img = cv2.imdecode(np.frombuffer(buf, np.uint8), cv2.IMREAD_COLOR)", [
      "cv2.error: OpenCV(4.9.0) /io/opencv/modules/imgcodecs/src/loadsave.cpp:816: error: (-215:Assertion failed) !buf.empty() in function 'imdecode_'",
    ]), "python_exception", "OpenCV's imdecode on an empty buffer (not looked up)"],
    [workerCaught("RuntimeError", "wav, sr = torchaudio.load(path)", [
      `  File "${SITE}/torchaudio/_backend/ffmpeg.py", line 88, in load_audio`,
      "    s = torch.classes.torchaudio.ffmpeg_StreamReader(src, format, None)",
      'RuntimeError: Failed to open the input "/data/clips/utt_0042.wav" (Invalid data found when processing input).',
    ]), "python_exception", "torchaudio 2.x's FFmpeg backend (alltalk_tts#243 https://github.com/erew123/alltalk_tts/issues/243; pytorch/audio#3706 for the path form)"],
    [workerCaught("RuntimeError", "waveform, sr = torchaudio.load(wav)", [
      `  File "${SITE}/torchaudio/backend/sox_io_backend.py", line 256, in load`,
      "    return _fallback_load(filepath, frame_offset, num_frames, normalize, channels_first, format)",
      "RuntimeError: Error loading audio file: failed to open file /data/wavs/utt1.wav",
    ], 0), "python_exception", "torchaudio's sox backend (wenet#2566 https://github.com/wenet-e2e/wenet/issues/2566)"],
    [inGetitem("audio, sr = soundfile.read(path)", [
      `  File "${DEB}/soundfile.py", line 1216, in _open`,
      '    raise LibsndfileError(err, prefix="Error opening {0!r}: ".format(self.name))',
      "soundfile.LibsndfileError: Error opening '/data/wavs/utt1.wav': Format not recognised.",
    ]), "python_exception", "recorded here: data-pipeline.py soundfile_unknown (find_string hit 54770295945 shows the same in a dataset scan)"],
    [inGetitem("audio, sr = sf.read(path)", [
      `  File "${SITE}/soundfile.py", line 1183, in _open`,
      "    _error_check(_snd.sf_error(file_ptr),",
      `  File "${SITE}/soundfile.py", line 1357, in _error_check`,
      '    raise RuntimeError(prefix + _ffi.string(err_str).decode(\'utf-8\', \'replace\'))',
      "RuntimeError: Error opening '/data/wavs/a.flac': File contains data in an unknown format.",
    ]), "python_exception", "soundfile before 0.11 raising RuntimeError (not looked up)"],
    [[
      ...PROGRESS,
      `${SITE}/librosa/core/audio.py:184: UserWarning: PySoundFile failed. Trying audioread instead.`,
      '  warnings.warn("PySoundFile failed. Trying audioread instead.")',
      inGetitem("y, sr = librosa.load(path, sr=16000)", [
        `  File "${SITE}/audioread/__init__.py", line 132, in audio_open`,
        "    raise NoBackendError()",
        "audioread.exceptions.NoBackendError",
      ]),
    ].join("\n"), "python_exception", "librosa falling back to audioread, which has no backend for the file (not looked up)"],
    [inGetitem("container = av.open(path)", [
      '  File "av/container/core.pyx", line 420, in av.container.core.open',
      '  File "av/container/core.pyx", line 266, in av.container.core.Container.__cinit__',
      '  File "av/container/core.pyx", line 286, in av.container.core.Container.err_check',
      '  File "av/error.pyx", line 326, in av.error.err_check',
      "av.error.InvalidDataError: [Errno 1094995529] Invalid data found when processing input: '/data/videos/v_0042.mp4'",
    ]), "python_exception", "PyAV on a damaged video (find_string hits 66450519979, 69051385490)"],
    [workerCaught("decord._ffi.base.DECORDError", "frames = vr.get_batch(indices).asnumpy()", [
      `  File "${SITE}/decord/_ffi/base.py", line 78, in check_call`,
      "    raise DECORDError(py_str(_LIB.DECORDGetLastError()))",
      "decord._ffi.base.DECORDError: [16:33:15] /github/workspace/src/video/video_reader.cc:486: Error: av_read_frame failed with 1094995529",
    ]), "python_exception", "decord reading a damaged video (decord#315 https://github.com/dmlc/decord/issues/315, MiniCPM-V#507)"],
    [inGetitem("vr = VideoReader(path, ctx=cpu(0))", [
      `  File "${SITE}/decord/_ffi/base.py", line 78, in check_call`,
      "    raise DECORDError(py_str(_LIB.DECORDGetLastError()))",
      "decord._ffi.base.DECORDError: [09:27:10] /io/decord/src/video/video_reader.cc:125: Check failed: st_nb >= 0 (-1381258232 vs. 0) ERROR cannot find video stream with wanted index: -1",
    ]), "python_exception", "decord on a file with no video stream (decord#116 https://github.com/dmlc/decord/issues/116)"],
    [[
      ...PROGRESS,
      "/data/raw/v_0042.mp4: Invalid data found when processing input",
      inPreprocess("subprocess.run(cmd, check=True, capture_output=False)", [
        '  File "/usr/lib/python3.10/subprocess.py", line 526, in run',
        "    raise CalledProcessError(retcode, process.args,",
        "subprocess.CalledProcessError: Command '['ffmpeg', '-y', '-i', '/data/raw/v_0042.mp4', '-r', '25', '/data/frames/v_0042/%05d.jpg']' returned non-zero exit status 1.",
      ]),
    ].join("\n"), "python_exception", "ffmpeg's error on a damaged input, then the preprocessing script's check (ffmpeg's `%s: Invalid data found when processing input`; whisperX#372, MuseTalk#34)"],
    [inPreprocess("ffmpeg.input(src).output(dst, ar=16000, ac=1).run(quiet=True)", [
      `  File "${SITE}/ffmpeg/_run.py", line 325, in run`,
      "    raise Error('ffmpeg', out, err)",
      "ffmpeg._run.Error: ffmpeg error (see stderr output for detail)",
    ]), "python_exception", "ffmpeg-python's error (not looked up)"],
  ],

  "2. array, table and record formats": [
    [workerCaught("OSError", "self.h5 = h5py.File(self.path, \"r\")", [
      `  File "${SITE}/h5py/_hl/files.py", line 562, in __init__`,
      "    fid = make_fid(name, mode, userblock_size, fapl, fcpl, swmr=swmr)",
      `  File "${SITE}/h5py/_hl/files.py", line 235, in make_fid`,
      "    fid = h5f.open(name, flags, fapl=fapl)",
      '  File "h5py/h5f.pyx", line 102, in h5py.h5f.open',
      "OSError: Unable to synchronously open file (truncated file: eof = 525312, sblock->base_addr = 0, stored_eof = 1050624)",
    ]), "python_exception", "recorded here: data-pipeline.py h5_truncated (h5py 3.7 says `Unable to open file`; 3.10+ `synchronously`), a cut HDF5 data file opened in a worker"],
    [inDatasetInit("self.h5 = h5py.File(path, \"r\")", [
      `  File "${DEB}/h5py/_hl/files.py", line 567, in __init__`,
      "    fid = make_fid(name, mode, userblock_size, fapl, fcpl, swmr=swmr)",
      `  File "${DEB}/h5py/_hl/files.py", line 231, in make_fid`,
      "    fid = h5f.open(name, flags, fapl=fapl)",
      '  File "h5py/h5f.pyx", line 106, in h5py.h5f.open',
      "OSError: Unable to open file (file signature not found)",
    ]), "python_exception", "recorded here: data-pipeline.py h5_signature (a git-lfs pointer saved as features.h5), opened by a dataset"],
    [workerCaught("OSError", "x = self.h5[\"images\"][index]", [
      '  File "h5py/_objects.pyx", line 54, in h5py._objects.with_phil.wrapper',
      '  File "h5py/_objects.pyx", line 55, in h5py._objects.with_phil.wrapper',
      `  File "${SITE}/h5py/_hl/dataset.py", line 758, in __getitem__`,
      "    return self._fast_reader.read(args)",
      '  File "h5py/_selector.pyx", line 376, in h5py._selector.Reader.read',
      "OSError: Can't read data (wrong B-tree signature)",
    ]), "python_exception", "h5py read from a file opened before the workers forked (elektronn3#12 https://github.com/ELEKTRONN/elektronn3/issues/12; pytorch#11928)"],
    [workerCaught("KeyError", "label = self.db[self.labels_key][idx]", [
      `  File "${SITE}/h5py/_hl/group.py", line 167, in __getitem__`,
      "    oid = h5o.open(self.id, self._e(name), lapl=self._lapl)",
      '  File "h5py/h5o.pyx", line 190, in h5py.h5o.open',
      "KeyError: 'Unable to open object (bad object header version number)'",
    ], 0), "python_exception", "the same sharing in another read (pytorch#11887 https://github.com/pytorch/pytorch/issues/11887)"],
    [workerCaught("KeyError", "tile = self.h5[\"tiles\"][key]", [
      `  File "${SITE}/h5py/_hl/group.py", line 328, in __getitem__`,
      "    oid = h5o.open(self.id, self._e(name), lapl=self._lapl)",
      '  File "h5py/h5o.pyx", line 190, in h5py.h5o.open',
      "KeyError: 'Unable to open object (bad symbol table node signature)'",
    ]), "python_exception", "pathml#255 https://github.com/Dana-Farber-AIOS/pathml/issues/255"],
    [inGetitem("feat = self.h5[vid][()]", [
      '  File "h5py/_selector.pyx", line 376, in h5py._selector.Reader.read',
      "OSError: Can't read data (inflate() failed)",
    ]), "python_exception", "a damaged compressed HDF5 chunk (GridMM#9 https://github.com/MrZihan/GridMM/issues/9)"],
    [inDatasetInit("self.env = lmdb.open(root, readonly=True, lock=False)", [
      "lmdb.InvalidError: /data/train_lmdb: MDB_INVALID: File is not an LMDB file",
    ]), "python_exception", "recorded here: data-pipeline.py lmdb_invalid (a zero-filled data.mdb)"],
    [inPreprocess("txn.put(key.encode(), value)", [
      "lmdb.MapFullError: mdb_put: MDB_MAP_FULL: Environment mapsize limit reached",
    ]), "python_exception", "recorded here: data-pipeline.py lmdb_map_full (ZheC/Realtime_Multi-Person_Pose_Estimation#32 shows it building a dataset): the map size the writer set, not the disk"],
    [workerCaught("lmdb.ReadersFullError", "with self.env.begin(write=False) as txn:", [
      "lmdb.ReadersFullError: mdb_txn_begin: MDB_READERS_FULL: Environment maxreaders limit reached",
    ]), "python_exception", "recorded here: data-pipeline.py lmdb_readers_full (max_readers below the workers' read transactions)"],
    [inPreprocess("env = lmdb.open(args.out, map_size=1e12)", [
      "lmdb.MemoryError: /data/coco_lmdb: Cannot allocate memory",
    ]), "host_oom", "lmdb's mmap of a map larger than the address space allows (ZheC/Realtime_Multi-Person_Pose_Estimation#32 https://github.com/ZheC/Realtime_Multi-Person_Pose_Estimation/issues/32): errno 12"],
    [inDatasetInit("self.env = lmdb.open(root, readonly=True, lock=False)", [
      "lmdb.Error: /data/train_lmdb: No such file or directory",
    ]), "python_exception", "lmdb's open of a missing folder (not looked up)"],
    [inDatasetInit("self.root = zarr.open_group(path, mode=\"r\")", [
      `  File "${SITE}/zarr/hierarchy.py", line 1539, in open_group`,
      "    raise GroupNotFoundError(path)",
      "zarr.errors.GroupNotFoundError: group not found at path ''",
    ]), "python_exception", "zarr 2.x's open_group on a path that holds no group (not looked up)"],
    [workerCaught("OSError", "ds = xr.open_dataset(path, engine=\"netcdf4\")", [
      '  File "src/netCDF4/_netCDF4.pyx", line 2470, in netCDF4._netCDF4.Dataset.__init__',
      '  File "src/netCDF4/_netCDF4.pyx", line 2107, in netCDF4._netCDF4._ensure_nc_success',
      "OSError: [Errno -101] NetCDF: HDF error: '/data/era5/2019.nc'",
    ]), "python_exception", "netCDF4 on a damaged file or an HDF5 it cannot read (find_string hits 60169651348, 68372449032)"],
    [inDatasetInit("ds = netCDF4.Dataset(path)", [
      '  File "src/netCDF4/_netCDF4.pyx", line 2107, in netCDF4._netCDF4._ensure_nc_success',
      "OSError: [Errno -51] NetCDF: Unknown file format: b'/data/era5/2020.nc'",
    ]), "python_exception", "netCDF4 on a file that is not netCDF (not looked up)"],
    [inDatasetInit("self.ds = xr.open_mfdataset(files)", [
      "ValueError: did not find a match in any of xarray's currently installed IO backends ['netcdf4', 'scipy']. Consider explicitly selecting one of the installed engines via the ``engine`` parameter, or installing additional IO dependencies, see:",
      "https://docs.xarray.dev/en/stable/getting-started-guide/installing.html",
    ]), "python_exception", "xarray's backend guess on a file no engine reads (not looked up)"],
    [inDatasetInit("self.labels = np.load(label_path)", [
      `  File "${DEB}/numpy/lib/npyio.py", line 432, in load`,
      "    return format.read_array(fid, allow_pickle=allow_pickle,",
      "ValueError: Object arrays cannot be loaded when allow_pickle=False",
    ]), "python_exception", "recorded here: data-pipeline.py numpy_allow_pickle"],
    [inGetitem("feat = np.load(self.paths[idx])", [
      `  File "${DEB}/numpy/lib/npyio.py", line 438, in load`,
      '    raise ValueError("Cannot load file containing pickled data "',
      "ValueError: Cannot load file containing pickled data when allow_pickle=False",
    ]), "python_exception", "recorded here: data-pipeline.py numpy_not_npy and numpy_empty (an HTML page and an empty file saved as .npy)"],
    [inGetitem("feat = np.load(self.paths[idx])", [
      `  File "${DEB}/numpy/lib/format.py", line 831, in read_array`,
      "    array.shape = shape",
      "ValueError: cannot reshape array of size 968 into shape (64,128)",
    ]), "python_exception", "recorded here: data-pipeline.py numpy_truncated (a .npy cut at 4000 bytes)"],
    [inGetitem("feat = np.load(self.paths[idx], allow_pickle=True)", [
      `  File "${DEB}/numpy/lib/npyio.py", line 441, in load`,
      "    return pickle.load(fid, **pickle_kwargs)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "_pickle.UnpicklingError: invalid load key, '<'.",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/data/dataset.py", line 88, in __getitem__',
      "    feat = np.load(self.paths[idx], allow_pickle=True)",
      `  File "${DEB}/numpy/lib/npyio.py", line 443, in load`,
      "    raise pickle.UnpicklingError(",
      "_pickle.UnpicklingError: Failed to interpret file '/data/feats/0042.npy' as a pickle",
    ]), "python_exception", "recorded here: data-pipeline.py numpy_not_npy_pickle: a data file that is not an array, under allow_pickle=True"],
    [inGetitem("feat = np.load(self.paths[idx], allow_pickle=True)", [
      `  File "${DEB}/numpy/lib/npyio.py", line 441, in load`,
      "    return pickle.load(fid, **pickle_kwargs)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "EOFError: Ran out of input",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/data/dataset.py", line 88, in __getitem__',
      "    feat = np.load(self.paths[idx], allow_pickle=True)",
      `  File "${DEB}/numpy/lib/npyio.py", line 443, in load`,
      "    raise pickle.UnpicklingError(",
      "_pickle.UnpicklingError: Failed to interpret file '/data/feats/0043.npy' as a pickle",
    ]), "python_exception", "recorded here: data-pipeline.py numpy_empty_pickle: an empty data file"],
    [inGetitem("with np.load(self.paths[idx]) as z:", [
      `  File "${DEB}/numpy/lib/npyio.py", line 420, in load`,
      "    ret = NpzFile(fid, own_fid=own_fid, allow_pickle=allow_pickle,",
      "          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      `  File "${DEB}/numpy/lib/npyio.py", line 187, in __init__`,
      "    _zip = zipfile_factory(fid)",
      "           ^^^^^^^^^^^^^^^^^^^^",
      `  File "${DEB}/numpy/lib/npyio.py", line 103, in zipfile_factory`,
      "    return zipfile.ZipFile(file, *args, **kwargs)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      '  File "/usr/lib/python3.11/zipfile.py", line 1302, in __init__',
      "    self._RealGetContents()",
      '  File "/usr/lib/python3.11/zipfile.py", line 1369, in _RealGetContents',
      '    raise BadZipFile("File is not a zip file")',
      "zipfile.BadZipFile: File is not a zip file",
    ]), "python_exception", "recorded here: data-pipeline.py numpy_npz_truncated: a cut .npz of features"],
    [inDatasetInit("self.samples = pickle.load(f)", [
      "_pickle.UnpicklingError: pickle data was truncated",
    ]), "python_exception", "recorded here: data-pipeline.py pickle_truncated: a cut index of samples"],
    [inDatasetInit("self.cache = pickle.load(open(cache_file, \"rb\"))", [
      "EOFError: Ran out of input",
    ]), "python_exception", "recorded here: data-pipeline.py pickle_empty: an empty annotation cache"],
    [inDatasetInit("self.df = pd.read_csv(csv_path)", [
      '  File "pandas/_libs/parsers.pyx", line 1973, in pandas._libs.parsers.raise_parser_error',
      "pandas.errors.ParserError: Error tokenizing data. C error: Expected 2 fields in line 3, saw 4",
      "",
    ]), "python_exception", "recorded here: data-pipeline.py pandas_parser"],
    [inDatasetInit("self.df = pd.read_csv(csv_path)", [
      '  File "pandas/_libs/parsers.pyx", line 554, in pandas._libs.parsers.TextReader.__cinit__',
      "pandas.errors.EmptyDataError: No columns to parse from file",
    ]), "python_exception", "recorded here: data-pipeline.py pandas_empty"],
    [inDatasetInit("self.df = pd.read_csv(csv_path, encoding=\"utf-8\")", [
      '  File "pandas/_libs/parsers.pyx", line 2053, in pandas._libs.parsers.TextReader._string_convert',
      "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
    ]), "python_exception", "pandas' reader on a UTF-16 or binary file (not looked up)"],
    [inDatasetInit("rows = list(csv.reader(f, delimiter=\"\\t\"))", [
      "_csv.Error: field larger than field limit (131072)",
    ]), "python_exception", "CPython's csv module (not looked up)"],
    [datasetsBuild([
      `  File "${SITE}/datasets/packaged_modules/parquet/parquet.py", line 86, in _generate_tables`,
      "    parquet_file = pq.ParquetFile(f)",
      "pyarrow.lib.ArrowInvalid: Could not open Parquet input source '<Buffer>': Parquet magic bytes not found in footer. Either the file is corrupted or this is not a parquet file.",
    ]), "python_exception", "a shard that is a git-lfs pointer or cut download (lerobot#2268 https://github.com/huggingface/lerobot/issues/2268, NVlabs/Tool-N1#4, esci-data#14)"],
    [inDatasetInit("self.table = ds.dataset(root, format=\"parquet\").to_table()", [
      "pyarrow.lib.ArrowInvalid: Error creating dataset. Could not read schema from 'data/flights-200k.arrow': Could not open Parquet input source 'data/flights-200k.arrow': Parquet magic bytes not found in footer. Either the file is corrupted or this is not a parquet file.. Is this a 'parquet' file?",
    ]), "python_exception", "pyarrow.dataset's wording (apache/arrow#33824 https://github.com/apache/arrow/issues/33824)"],
    [inDatasetInit("self.table = pq.read_table(path)", [
      '  File "pyarrow/_parquet.pyx", line 1253, in pyarrow._parquet.ParquetReader.open',
      '  File "pyarrow/error.pxi", line 91, in pyarrow.lib.check_status',
      "OSError: Couldn't deserialize thrift: TProtocolException: Invalid data",
    ]), "python_exception", "pyarrow on a damaged Parquet footer (not looked up)"],
    [inDatasetInit("self.table = feather.read_table(path)", [
      '  File "pyarrow/error.pxi", line 91, in pyarrow.lib.check_status',
      "pyarrow.lib.ArrowInvalid: Expected to read 538970747 metadata bytes, but only read 2357",
    ]), "python_exception", "pyarrow's IPC reader on a cut .arrow file (not looked up)"],
    [inPreprocess("table = pa.Table.from_pandas(df)", [
      '  File "pyarrow/error.pxi", line 91, in pyarrow.lib.check_status',
      "pyarrow.lib.ArrowCapacityError: array cannot contain more than 2147483646 bytes, have 2147483651",
    ]), "python_exception", "pyarrow's 2 GiB limit of one string array (not looked up; the corpus's zzh-llamafactory-2561 is an offset overflow read python_exception)"],
    [pyTrace([
      `  File "${SITE}/datasets/utils/info_utils.py", line 39, in verify_checksums`,
      "    raise NonMatchingChecksumError(error_msg + str(bad_urls))",
      "datasets.utils.info_utils.NonMatchingChecksumError: Checksums didn't match for dataset source files:",
      "['https://github.com/RevanthRameshkumar/CRD3/archive/master.zip']",
    ], ["  File \"/workspace/train.py\", line 58, in <module>", "    dataset = load_dataset('crd3', split='train')"]), "python_exception", "datasets' checksum check on a download (datasets#3051 https://github.com/huggingface/datasets/issues/3051, #726)"],
    [datasetsBuild([
      `  File "${SITE}/datasets/packaged_modules/json/json.py", line 167, in _generate_tables`,
      "    pa_table = pa.Table.from_pandas(df, preserve_index=False)",
      "TypeError: Couldn't cast array of type struct<graph_kind: string, importance_score: double> to {'graph_kind': Value(dtype='string', id=None)}",
    ]), "python_exception", "datasets' JSON builder on rows of two schemas (find_string hit 56614541699)"],
    [datasetsBuild([
      `  File "${SITE}/datasets/packaged_modules/webdataset/webdataset.py", line 44, in _get_pipeline_from_tar`,
      "    current_example[field_name.lower()] = f.read()",
      "                                          ^^^^^^^^",
      '  File "/usr/lib/python3.11/tarfile.py", line 687, in read',
      '    raise ReadError("unexpected end of data")',
      "tarfile.ReadError: unexpected end of data",
    ]), "python_exception", "datasets' webdataset builder on a cut shard (JoeLeelyf/OVO-Bench#18 https://github.com/JoeLeelyf/OVO-Bench/issues/18)"],
    [inPreprocess("for member in tar: tar.extractfile(member).read()", [
      '  File "/usr/lib/python3.11/tarfile.py", line 687, in read',
      '    raise ReadError("unexpected end of data")',
      "tarfile.ReadError: unexpected end of data",
    ]), "python_exception", "recorded here: data-pipeline.py tar_truncated"],
    [tfIterator("tensorflow.python.framework.errors_impl.DataLossError: corrupted record at 0 [Op:IteratorGetNextSync]"), "python_exception", "tf.data on a TFRecord that is empty or not one (find_string hits 46380664511, 44352661605; corpus 2d-projection-matching-4, python_exception)"],
    [tfIterator("tensorflow.python.framework.errors_impl.DataLossError: truncated record at 4194304' failed with Read less bytes than requested [Op:IteratorGetNext]"), "python_exception", "tf.data on a cut TFRecord (tsl/lib/io/record_reader.cc; not looked up)"],
    [pyTrace([
      "tensorflow.python.framework.errors_impl.DataLossError: Graph execution error:",
      "",
      "corrupted record at 12345",
      "\t [[{{node IteratorGetNext}}]] [Op:__inference_train_function_10274]",
    ], ["  File \"/workspace/train.py\", line 77, in fit", "    model.fit(train_ds, epochs=cfg.epochs)"]), "python_exception", "Keras' graph form of the same (TF 2.11+ `Graph execution error:`; not looked up)"],
    [inPreprocess("data = json.load(open(args.train_file))", [
      '  File "/usr/lib/python3.11/json/decoder.py", line 340, in decode',
      '    raise JSONDecodeError("Extra data", s, end)',
      "json.decoder.JSONDecodeError: Extra data: line 2 column 1 (char 14)",
    ]), "python_exception", "recorded here: data-pipeline.py json_jsonl (a JSON Lines file read with json.load)"],
    [inDatasetInit("self.annotations = json.load(open(ann_file))", [
      '  File "/usr/lib/python3.10/json/decoder.py", line 355, in raw_decode',
      '    raise JSONDecodeError("Expecting value", s, err.value) from None',
      "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
    ]), "python_exception", "an empty annotation file (corpus csrnet-88, openrlhf-939: python_exception)"],
    [inDatasetInit("cfg = yaml.safe_load(open(data_yaml))", [
      "yaml.scanner.ScannerError: mapping values are not allowed here",
      '  in "/data/coco/data.yaml", line 2, column 14',
    ]), "python_exception", "recorded here: data-pipeline.py yaml_scanner"],
    [inDatasetInit("cfg = yaml.safe_load(open(data_yaml))", [
      "yaml.constructor.ConstructorError: could not determine a constructor for the tag 'tag:yaml.org,2002:python/tuple'",
      '  in "/data/coco/data.yaml", line 7, column 12',
    ]), "python_exception", "PyYAML's safe loader on a Python tag (not looked up)"],
  ],

  "3. the DataLoader's own reports": [
    [workerSignal("Killed. ", 20988), "process_killed", "recorded here: data-pipeline.py dl_worker_sigkill (torch 1.13, Python 3.11's caret lines)"],
    [workerSignal("Segmentation fault. ", 21139), "segfault", "recorded here: data-pipeline.py dl_worker_sigsegv"],
    [workerSignal("Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit.", 21179, ["ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm)."], " "), "segfault", "recorded here: data-pipeline.py dl_worker_sigbus (torch's handler prints its notice, then the traceback starts after a space)"],
    [workerSignal("Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit.", 21364, ["ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).", " ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm)."], " "), "segfault", "recorded here: data-pipeline.py dl_shm_full (two workers writing batches to a 1 MiB /dev/shm in a private mount namespace: a bus error, not ENOSPC)"],
    [workerSignal("Aborted. ", 21235), "segfault", "recorded here: data-pipeline.py dl_worker_sigabrt"],
    [workerSignal("Terminated. ", 21252), "process_killed", "recorded here: data-pipeline.py dl_worker_sigterm"],
    [[
      ...PROGRESS,
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 8, in <module>',
      `  File "${DEB}/torch/utils/data/dataloader.py", line 628, in __next__`,
      "    data = self._next_data()",
      CARETS,
      `  File "${DEB}/torch/utils/data/dataloader.py", line 1316, in _next_data`,
      "    idx, data = self._get_data()",
      "                ^^^^^^^^^^^^^^^^",
      `  File "${DEB}/torch/utils/data/dataloader.py", line 1269, in _get_data`,
      "    raise RuntimeError('DataLoader timed out after {} seconds'.format(self._timeout))",
      "RuntimeError: DataLoader timed out after 1 seconds",
      "",
    ].join("\n"), "timeout", "recorded here: data-pipeline.py dl_timeout (a worker slower than the loader's timeout)"],
    [[
      ...PROGRESS,
      "[rank1]:   File \"/home/user/DEIMv2/engine/misc/logger.py\", line 215, in log_every",
      "[rank1]:     for obj in iterable:",
      `[rank1]:   File "${SITE}/torch/utils/data/dataloader.py", line 1243, in _try_get_data`,
      "[rank1]:     data = self._data_queue.get(timeout=timeout)",
      "[rank1]:   File \"/usr/lib/python3.12/multiprocessing/queues.py\", line 122, in get",
      "[rank1]:     return _ForkingPickler.loads(res)",
      `[rank1]:   File "${SITE}/torch/multiprocessing/reductions.py", line 541, in rebuild_storage_fd`,
      "[rank1]:     fd = df.detach()",
      "[rank1]:   File \"/usr/lib/python3.12/multiprocessing/resource_sharer.py\", line 57, in detach",
      "[rank1]:     with _resource_sharer.get_connection(self._id) as conn:",
      "[rank1]:   File \"/usr/lib/python3.12/multiprocessing/reduction.py\", line 164, in recvfds",
      "[rank1]:     raise RuntimeError('received %d items of ancdata' %",
      "[rank1]: RuntimeError: received 0 items of ancdata",
      "",
    ].join("\n"), "python_exception", "the file-descriptor limit under torchrun's rank prefix (DEIMv2#93 https://github.com/Intellindust-AI-Lab/DEIMv2/issues/93, pytorch#973)"],
    [[
      ...PROGRESS,
      "[rank0]: RuntimeError: DataLoader worker (pid 48377) is killed by signal: Killed. ",
      "",
    ].join("\n"), "process_killed", "a worker killed (the kernel's OOM killer) under torchrun's rank prefix, the excerpt cut to the exception (not looked up)"],
    [workerCaught("numpy.core._exceptions._ArrayMemoryError", "vol = np.zeros((1024, 1024, 360), dtype=np.float32)", [
      "numpy.core._exceptions._ArrayMemoryError: Unable to allocate 1.41 GiB for an array with shape (1024, 1024, 360) and data type float32",
    ], 2), "host_oom", "numpy's allocation failing in a worker (the convention's _ArrayMemoryError; the worker wrapper's form not looked up)"],
    [workerCaught("RuntimeError", "x = torch.from_numpy(arr).float()", [
      "RuntimeError: [enforce fail at alloc_cpu.cpp:83] . DefaultCPUAllocator: can't allocate memory: you tried to allocate 2147483648 bytes. Error code 12 (Cannot allocate memory)",
    ], 1), "host_oom", "torch's CPU allocator in a worker (c10/core/impl/alloc_cpu.cpp; not looked up)"],
    [workerCaught("OSError", "np.save(cache_path, feat)", [
      `  File "${SITE}/numpy/lib/npyio.py", line 546, in save`,
      "    format.write_array(fid, arr, allow_pickle=allow_pickle,",
      "OSError: [Errno 28] No space left on device",
    ], 5), "disk_full", "a dataset caching features from its workers (not looked up)"],
    [workerCaught("FileNotFoundError", "img = Image.open(os.path.join(self.root, name))", [
      `  File "${SITE}/PIL/Image.py", line 3277, in open`,
      "    fp = builtins.open(filename, \"rb\")",
      "FileNotFoundError: [Errno 2] No such file or directory: '/data/coco/train2017/000000123456.jpg'",
    ], 7), "python_exception", "a missing data file in torch 2.x's worker form (not looked up)"],
    [workerCaught("OSError", "with open(self.files[idx], \"rb\") as f:", [
      "OSError: [Errno 24] Too many open files: '/data/train/shard_00042.bin'",
    ], 6), "python_exception", "EMFILE in a worker (corpus zzc-paddleocr-3256, python_exception)"],
    [pyTrace([
      '  File "C:\\Users\\me\\miniconda3\\lib\\multiprocessing\\popen_spawn_win32.py", line 93, in __init__',
      "    reduction.dump(process_obj, to_child)",
      '  File "C:\\Users\\me\\miniconda3\\lib\\multiprocessing\\reduction.py", line 60, in dump',
      "    ForkingPickler(file, protocol).dump(obj)",
      "BrokenPipeError: [Errno 32] Broken pipe",
    ], [`  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\utils\\data\\dataloader.py", line 1040, in __init__`, "    w.start()"]), "python_exception", "Windows' spawn of DataLoader workers when the script has no `if __name__ == '__main__'` guard or the dataset cannot be pickled (not looked up)"],
  ],

  "4. writing data, caches and the readers' memory": [
    [inPreprocess("f.create_dataset(\"feats\", data=feats)", [
      '  File "h5py/_objects.pyx", line 54, in h5py._objects.with_phil.wrapper',
      '  File "h5py/h5d.pyx", line 282, in h5py.h5d.DatasetID.write',
      "OSError: [Errno 28] Can't write data (file write failed: time = Mon Dec  7 12:11:58 2026",
      ", filename = '/data/feats.h5', file descriptor = 3, errno = 28, error message = 'No space left on device', buf = 0x7f7218603810, total write size = 4130816, bytes this sub-write = 4130816, bytes actually written = 18446744073709551615, offset = 0)",
    ]), "disk_full", "recorded here: data-pipeline.py h5_write_enospc (a 64 KiB tmpfs in a private mount namespace; HDF5's message carries ctime's newline)"],
    [inPreprocess("img.save(os.path.join(out_dir, name), quality=95)", [
      `  File "${SITE}/PIL/Image.py", line 2439, in save`,
      "    fp = builtins.open(filename, \"w+b\")",
      "OSError: [Errno 28] No space left on device: '/data/cache/train/0042.jpg'",
    ]), "disk_full", "Pillow saving resized images to a full disk (not looked up)"],
    [inPreprocess("df.to_csv(out_csv, index=False)", [
      '  File "pandas/_libs/writers.pyx", line 72, in pandas._libs.writers.write_csv_rows',
      "OSError: [Errno 28] No space left on device",
    ]), "disk_full", "pandas writing a table (not looked up)"],
    [inPreprocess("np.save(os.path.join(args.out, f\"{key}.npy\"), feat)", [
      "OSError: [Errno 122] Disk quota exceeded: '/scratch/user/feats/0042.npy'",
    ]), "disk_full", "EDQUOT on a cluster's scratch (the convention's quota exceeded)"],
    [inPreprocess("tar.extractall(args.data_dir)", [
      '  File "/usr/lib/python3.10/tarfile.py", line 2257, in extractall',
      "    self._extract_one(tarinfo, path, set_attrs, numeric_owner)",
      '  File "/usr/lib/python3.10/shutil.py", line 198, in copyfileobj',
      "    fdst_write(buf)",
      "OSError: [Errno 28] No space left on device",
    ]), "disk_full", "unpacking a dataset archive (not looked up)"],
    [inPreprocess("writer.write(example.SerializeToString())", [
      `  File "${SITE}/tensorflow/python/lib/io/tf_record.py", line 313, in write`,
      "    super(TFRecordWriter, self).write(record)",
      "tensorflow.python.framework.errors_impl.ResourceExhaustedError: /data/tfrecords/train-00012-of-01024; No space left on device",
    ]), "disk_full", "TFRecordWriter on a full disk (TF's file-system status; not looked up): ResourceExhausted, but of space"],
    [inPreprocess("txn.commit()", [
      "lmdb.DiskError: mdb_txn_commit: No space left on device",
    ]), "disk_full", "lmdb's commit on a full disk (lmdb-python's error class per errno; not looked up)"],
    [inDatasetInit("self.df = pd.read_csv(csv_path, low_memory=False)", [
      '  File "pandas/_libs/parsers.pyx", line 891, in pandas._libs.parsers.TextReader._check_tokenize_status',
      '  File "pandas/_libs/parsers.pyx", line 2061, in pandas._libs.parsers.raise_parser_error',
      "pandas.errors.ParserError: Error tokenizing data. C error: out of memory",
    ]), "host_oom", "pandas' C tokenizer failing to allocate (recorded here: data-pipeline.py pandas_tokenizer_oom, under a 140 MiB address-space limit; find_string hits 55192876400, 62305595321)"],
    [workerCaught("OSError", "vol = self.h5[\"volumes\"][idx]", [
      `  File "${DEB}/h5py/_hl/dataset.py", line 741, in __getitem__`,
      "    return self._fast_reader.read(args)",
      '  File "h5py/_selector.pyx", line 370, in h5py._selector.Reader.read',
      "OSError: Can't read data (memory allocation failed for raw data chunk)",
    ], 2), "host_oom", "recorded here: data-pipeline.py h5_chunk_alloc (a 256 MiB chunk read under a 300 MiB address-space limit; H5Dchunk.c's message, find_string hit 61161838262)"],
    [inGetitem("vol = self.h5[\"volumes\"][idx]", [
      `  File "${DEB}/h5py/_hl/dataset.py", line 741, in __getitem__`,
      "    return self._fast_reader.read(args)",
      "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      '  File "h5py/_selector.pyx", line 370, in h5py._selector.Reader.read',
      "OSError: Can't read data (memory allocation failed for deflate uncompression)",
    ]), "host_oom", "recorded here: data-pipeline.py h5_deflate_alloc (the same chunk gzip-compressed)"],
    [inDatasetInit("self.images = np.load(cache_path)", [
      `  File "${SITE}/numpy/lib/format.py", line 783, in read_array`,
      "    array = numpy.fromfile(fp, dtype=dtype, count=count)",
      "numpy.core._exceptions._ArrayMemoryError: Unable to allocate 37.4 GiB for an array with shape (50000, 224, 224, 3) and data type float32",
    ]), "host_oom", "a dataset loading its whole cache into RAM (numpy's read_array; not looked up)"],
    [inDatasetInit("self.table = pq.read_table(path).to_pandas()", [
      '  File "pyarrow/error.pxi", line 117, in pyarrow.lib.check_status',
      "pyarrow.lib.ArrowMemoryError: malloc of size 8589934656 failed",
    ]), "host_oom", "pyarrow's allocator (rule host_oom_library's pattern; not looked up)"],
    [inGetitem("img = Image.open(path).convert(\"RGB\")", [
      `  File "${SITE}/PIL/Image.py", line 937, in convert`,
      "    im = self.im.convert(mode, dither)",
      "MemoryError",
    ]), "host_oom", "Pillow converting a huge image (not looked up)"],
  ],

  "5. the same words about checkpoints": [
    [pyTrace([
      `  File "${SITE}/keras/src/saving/legacy/hdf5_format.py", line 799, in load_weights_from_hdf5_group`,
      "    with h5py.File(filepath, mode=\"r\") as f:",
      `  File "${SITE}/h5py/_hl/files.py", line 562, in __init__`,
      "    fid = make_fid(name, mode, userblock_size, fapl, fcpl, swmr=swmr)",
      "OSError: Unable to synchronously open file (truncated file: eof = 41943040, sblock->base_addr = 0, stored_eof = 94371840)",
    ], ["  File \"/workspace/train.py\", line 61, in main", "    model.load_weights(\"weights/yolo.h5\")"]), "checkpoint_corrupt", "a cut HDF5 weights file under Keras' load_weights (corpus mask-rcnn-653, zc-deepcorrect-14: checkpoint_corrupt)"],
    [pyTrace([
      `  File "${SITE}/keras/src/saving/saving_api.py", line 262, in load_model`,
      "    return legacy_sm_saving_lib.load_model(",
      `  File "${SITE}/h5py/_hl/files.py", line 235, in make_fid`,
      "    fid = h5f.open(name, flags, fapl=fapl)",
      "OSError: Unable to open file (file signature not found)",
    ], ["  File \"/workspace/train.py\", line 61, in main", "    model = keras.models.load_model(\"models/classifier.h5\")"]), "checkpoint_corrupt", "a git-lfs pointer in place of a Keras model (corpus zw-keras-19164, zzo-imageai-498: checkpoint_corrupt)"],
    [pyTrace([
      `  File "${SITE}/torch/serialization.py", line 1040, in load`,
      "    return _legacy_load(opened_file, map_location, pickle_module, **pickle_load_args)",
      `  File "${SITE}/torch/serialization.py", line 1258, in _legacy_load`,
      "    magic_number = pickle_module.load(f, **pickle_load_args)",
      "_pickle.UnpicklingError: pickle data was truncated",
    ], ["  File \"/workspace/train.py\", line 120, in resume", "    state = torch.load(\"output/last.pth\", map_location=\"cpu\")"]), "checkpoint_corrupt", "a cut legacy checkpoint (corpus laserembeddings-22, paddle-56628: checkpoint_corrupt)"],
    [pyTrace([
      '  File "/workspace/utils/checkpoint.py", line 31, in load_checkpoint',
      "    state = pickle.load(f)",
      "EOFError: Ran out of input",
    ], ["  File \"/workspace/train.py\", line 120, in resume", "    agent_state = load_checkpoint(\"runs/ppo/last.pkl\")"]), "checkpoint_corrupt", "an empty saved trainer state (corpus: checkpoint_corrupt holds `Ran out of input` under a checkpoint loader)"],
    [pyTrace([
      '  File "/workspace/models/vgg.py", line 48, in load_pretrained_weights',
      "    weights = np.load(weights_path)",
      `  File "${SITE}/numpy/lib/npyio.py", line 420, in load`,
      "    ret = NpzFile(fid, own_fid=own_fid, allow_pickle=allow_pickle,",
      '  File "/usr/lib/python3.10/zipfile.py", line 1336, in _RealGetContents',
      '    raise BadZipFile("File is not a zip file")',
      "zipfile.BadZipFile: File is not a zip file",
    ], ["  File \"/workspace/train.py\", line 52, in build_model", "    model.load_pretrained_weights(\"pretrained/vgg16.npz\")"]), "checkpoint_corrupt", "a cut .npz of pretrained weights (corpus neural-storyteller-46: checkpoint_corrupt)"],
    [pyTrace([
      `  File "${SITE}/numpy/lib/npyio.py", line 443, in load`,
      "    raise pickle.UnpicklingError(",
      "_pickle.UnpicklingError: Failed to interpret file 'pretrained/encoder_weights.npy' as a pickle",
    ], ["  File \"/workspace/train.py\", line 52, in build_model", "    weights = np.load(\"pretrained/encoder_weights.npy\", allow_pickle=True).item()"]), "checkpoint_corrupt", "numpy's load of saved weights that are not an array (the text of the data row above, about weights)"],
    [pyTrace([
      `  File "${SITE}/tensorflow/python/training/py_checkpoint_reader.py", line 92, in NewCheckpointReader`,
      "    return CheckpointReader(compat.as_bytes(filepattern))",
      "tensorflow.python.framework.errors_impl.DataLossError: file is too short to be an sstable [Op:RestoreV2]",
    ], ["  File \"/workspace/train.py\", line 66, in main", "    ckpt.restore(manager.latest_checkpoint)"]), "checkpoint_corrupt", "TensorFlow's DataLossError about a checkpoint, beside the record rows above (corpus: 7 checkpoint_corrupt DataLossError entries)"],
    [pyTrace([
      `  File "${SITE}/torch/serialization.py", line 1025, in load`,
      "    raise pickle.UnpicklingError(_get_wo_message(str(e))) from None",
      "_pickle.UnpicklingError: invalid load key, 'v'.",
    ], ["  File \"/workspace/data/dataset.py\", line 41, in __init__", "    self.backbone.load_state_dict(torch.load(\"pretrained/resnet50.pth\"))"]), "checkpoint_corrupt", "a git-lfs pointer in place of pretrained weights that a dataset's feature extractor loads (torch/serialization.py's frames name the checkpoint reader)"],
  ],

  "6. near misses in healthy runs": [
    [healthy(["Corrupt JPEG data: premature end of data segment", "Corrupt JPEG data: premature end of data segment"]), "none", "recorded here: data-pipeline.py cv2_corrupt_jpeg_warning (libjpeg's warning; imread decodes the image; find_string hit 63363517592)"],
    [healthy(["Corrupt JPEG data: 2 extraneous bytes before marker 0xd9", "Premature end of JPEG file"]), "none", "libjpeg's JWRN_EXTRANEOUS_DATA and JWRN_JPEG_EOF (find_string hit 23226683027)"],
    [healthy(["libpng warning: iCCP: known incorrect sRGB profile", "libpng warning: iCCP: cHRM chunk does not match sRGB"]), "none", "libpng's profile warnings (not looked up)"],
    [healthy([`${SITE}/PIL/TiffImagePlugin.py:900: UserWarning: Possibly corrupt EXIF data.  Expecting to read 12 bytes but only got 10. Skipping tag 41730`, "  warnings.warn("]), "none", "Pillow's EXIF warning (not looked up)"],
    [healthy([`${SITE}/PIL/TiffImagePlugin.py:949: UserWarning: Truncated File Read`, "  warnings.warn(str(msg))"]), "none", "Pillow's TIFF warning (not looked up)"],
    [healthy([`${SITE}/PIL/Image.py:3186: DecompressionBombWarning: Image size (101972544 pixels) exceeds limit of 89478485 pixels, could be decompression bomb DOS attack.`, "  warnings.warn("]), "none", "Pillow's warning below the error's limit (not looked up)"],
    [healthy(["2024-05-02 10:11:12,345 - data.dataset - WARNING - Skipping corrupt image /data/train/0042.jpg: cannot identify image file '/data/train/0042.jpg'", "2024-05-02 10:11:13,101 - data.dataset - WARNING - Skipping corrupt image /data/train/0107.jpg: image file is truncated (7 bytes not processed)"]), "none", "a dataset that catches the reader's error and skips the sample (a training script's own log; not looked up)"],
    [healthy([`${SITE}/webdataset/handlers.py:34: UserWarning: ReadError('unexpected end of data @ <_io.BufferedReader name=\\'/data/shards/train-000123.tar\\'>')`, "  warnings.warn(repr(exn))"]), "none", "webdataset's warn_and_continue handler on a cut shard (webdataset/handlers.py; not looked up)"],
    [healthy(["[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d5c0a3e2c0] moov atom not found", "Failed to load video /data/videos/v_0042.mp4, skipping"]), "none", "FFmpeg's demuxer log on a cut video the loader skips (not looked up)"],
    [healthy(["[mp3float @ 0x5581b2c3e4c0] Header missing", "[mp3float @ 0x5581b2c3e4c0] Header missing"]), "none", "FFmpeg's decoder warning on a damaged frame that decoding goes past (find_string hit 69051385490 quotes it)"],
    [healthy(["[ WARN:0@12.345] global loadsave.cpp:248 findDecoder imread_('/data/train/0042.jpg'): can't open/read file: check file path/integrity", "image /data/train/0042.jpg could not be read, skipped"]), "none", "OpenCV's imread warning (the recorded cv2_empty shape) in a loader that checks for None and goes on"],
    [healthy([
      "HDF5-DIAG: Error detected in HDF5 (1.12.2) thread 1:",
      "  #000: H5A.c line 528 in H5Aopen_by_name(): can't open attribute",
      "    major: Attribute",
      "    minor: Can't open object",
    ]), "none", "HDF5's error stack printed for a probe the library handles (netCDF4 reading an optional attribute; not looked up)"],
    [healthy([`/workspace/data/prepare.py:41: DtypeWarning: Columns (3,7) have mixed types. Specify dtype option on import or set low_memory=False.`, "  df = pd.read_csv(csv_path)"]), "none", "pandas' mixed-type warning (not looked up)"],
    [healthy([`${SITE}/h5py/__init__.py:36: UserWarning: h5py is running against HDF5 1.14.2 when it was built against 1.14.3, this may cause problems`, "  _warn((\"h5py is running against HDF5 {0} when it was \""]), "none", "h5py's version warning (not looked up)"],
    [healthy(["Found cached dataset json (/root/.cache/huggingface/datasets/json/default-8a3c1e4b1d2f/0.0.0/e347ab1c932092252e717ff3f949105a4dd28b27e842dd53157d2f72e276c2e4)", "Loading cached processed dataset at /root/.cache/huggingface/datasets/json/default-8a3c1e4b1d2f/0.0.0/cache-5c1f2b3a4d.arrow"]), "none", "datasets' cache notices (not looked up)"],
    [healthy(["2024-05-02 10:11:12.345678: W tensorflow/core/kernels/data/cache_dataset_ops.cc:858] The calling iterator did not fully read the dataset being cached. In order to avoid unexpected truncation of the dataset, the partially cached contents of the dataset  will be discarded. This can happen if you have an input pipeline similar to `dataset.cache().take(k).repeat()`. You should use `dataset.take(k).cache().repeat()` instead."]), "none", "tf.data's cache warning (not looked up)"],
    [healthy(["2024-05-02 10:11:12.345678: I tensorflow/core/framework/local_rendezvous.cc:404] Local rendezvous is aborting with status: OUT_OF_RANGE: End of sequence"]), "none", "tf.data's end of an epoch (not looked up)"],
    [healthy([
      "Exception ignored in: <function _MultiProcessingDataLoaderIter.__del__ at 0x7f3c2a1b4d30>",
      "Traceback (most recent call last):",
      `  File "${SITE}/torch/utils/data/dataloader.py", line 1479, in __del__`,
      "    self._shutdown_workers()",
      `  File "${SITE}/torch/utils/data/dataloader.py", line 1443, in _shutdown_workers`,
      "    if w.is_alive():",
      '  File "/usr/lib/python3.10/multiprocessing/process.py", line 160, in is_alive',
      "    assert self._parent_pid == os.getpid(), 'can only test a child process'",
      "AssertionError: can only test a child process",
    ]), "none", "the DataLoader iterator's finalizer in a forked child, which Python ignores (not looked up)"],
    [healthy([`${SITE}/librosa/core/audio.py:184: UserWarning: PySoundFile failed. Trying audioread instead.`, '  warnings.warn("PySoundFile failed. Trying audioread instead.")']), "none", "librosa's fallback warning when audioread then reads the file (not looked up)"],
    [healthy([`${SITE}/numpy/core/fromnumeric.py:43: VisibleDeprecationWarning: Creating an ndarray from ragged nested sequences (which is a list-or-tuple of lists-or-tuples-or ndarrays with different lengths or shapes) is deprecated. If you meant to do this, you must specify 'dtype=object' when creating the ndarray.`, "  result = getattr(asarray(obj), method)(*args, **kwds)"]), "none", "numpy's ragged-array warning (not looked up)"],
    [healthy(["Skipped 3 corrupted records out of 1281167 (see bad_records.txt)", "Rebuilt LMDB map_size=1099511627776 after MDB_MAP_FULL, continuing"]), "none", "a pipeline's own summary naming the reader errors it handled (not looked up)"],
  ],
};

testDictionary("crash rules dictionary, sixth round: error texts of the data pipeline", FAMILIES, primaryOf);
