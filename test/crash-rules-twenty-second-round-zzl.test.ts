/**
 * Twenty-second rules round (issue 10), tune collection zzl (any GPU stack, the weak families first): from its
 * first-contact misses, the readings that hold for logs not seen. A launcher's summary of a child that ended by a
 * negative exit code that is a fault signal (-4 SIGILL, -7 SIGBUS, -8 SIGFPE, -11 SIGSEGV) in the words composer,
 * DeepSpeed and older Python's subprocess use, as -9 is read as a kill; pybind11 failing to allocate the Python object a
 * C++ extension returns (CPython's allocation: host memory); Caffe's proto writer failing its CHECK on
 * `SerializeToOstream` and dmlc's `FileStream.Write incomplete` (write failures, read as disk_full)
 * (docs/crash-accuracy.md, "Twenty-second round: tune collection zzl"). Real lines name where they come from; near
 * misses must not be the rule (null: no rule at all); whole texts check the primary choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-second-round-zzl-");

describe("twenty-second round (zzl): rule families", () => {
  const families: Family[] = [
    {
      // A launcher or wrapper reporting a child's negative exit code, which Python's subprocess gives for a death by
      // signal: -7 is SIGBUS (a full /dev/shm in Docker, a truncated mmap), -11 SIGSEGV, -4 SIGILL, -8 SIGFPE. The
      // same verbs and shapes as killed_launcher_signal's -9 pattern; composer prints
      // `Rank {rank} crashed with exit code {returncode}.`.
      rule: "segfault_exit_code",
      real: [
        ["crash-corpus zzl llm-foundry-258, https://github.com/mosaicml/llm-foundry/issues/258 (composer's launcher)", "ERROR:composer.cli.launcher:Rank 2 crashed with exit code -7."],
        ["crash-corpus zzk colossalai-3556, https://github.com/hpcaitech/ColossalAI/issues/3556 (torchrun, read before this round)", "ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -7) local_rank: 1 (pid: 5621) of binary: /usr/bin/python3.10"],
      ],
      nearMiss: [
        // The rank's own error (a Python exception exits with 1): the launcher says nothing about a signal.
        ["ERROR:composer.cli.launcher:Rank 0 crashed with exit code 1.", null],
        // -9 is SIGKILL: a kill, not a fault.
        ["ERROR:composer.cli.launcher:Rank 0 crashed with exit code -9.", "killed_launcher_signal"],
        ["Process finished with exit code -1", null],
        ["worker exited with code -70", null],
      ],
    },
    {
      // DeepSpeed's launcher (launch.py's sigkill_handler) after a rank ended by a signal, read like its -11 form; and
      // CalledProcessError before Python 3.6, whose message gives a negative status as it is (3.6 on say `died with
      // <Signals.SIGBUS: 7>`, read by the SIGBUS pattern).
      rule: "segfault_signal",
      real: [
        ["https://github.com/EleutherAI/gpt-neox/issues/940", "[2023-05-17 11:25:13,146] [ERROR] [launch.py:324:sigkill_handler] ['/usr/bin/python', '-u', 'train.py', '--local_rank=1', '--deepspeed_config', 'eyJ0cmFpbl9iYXRjaF9zaXplIjogMiwgInRyYWluX21pY3JvX2JhdGNoX3NpemVfcGVyX2dwdSI6IDEsICJvcHRpbWl6ZXIiOiB7InR5cGUiOiAiQWRhbSIsICJwYXJhbXMiOiB7ImxyIjogMC4wMDA2LCAiYmV0YXMiOiBbMC45LCAwLjk5OV0sICJlcHMiOiAxZS0wOH19LCAiZnAzMl9hbGxyZWR1Y2UiOiB0cnVlLCAiZnAxNiI6IHsiZW5hYmxlZCI6IHRydWUsICJ0eXBlIjogImJmbG9hdDE2IiwgImxvc3Nfc2NhbGUiOiAwLCAibG9zc19zY2FsZV93aW5kb3ciOiAxMDAwLCAiaHlzdGVyZXNpcyI6IDIsICJtaW5fbG9zc19zY2FsZSI6IDF9LCAiemVyb19vcHRpbWl6YXRpb24iOiB7InN0YWdlIjogMCwgImFsbGdhdGhlcl9wYXJ0aXRpb25zIjogdHJ1ZSwgImFsbGdhdGhlcl9idWNrZXRfc2l6ZSI6IDUwMDAwMDAwMCwgIm92ZXJsYXBfY29tbSI6IHRydWUsICJyZWR1Y2Vfc2NhdHRlciI6IHRydWUsICJyZWR1Y2VfYnVja2V0X3NpemUiOiA1MDAwMDAwMDAsICJjb250aWd1b3VzX2dyYWRpZW50cyI6IHRydWV9LCAid2FsbF9jbG9ja19icmVha2Rvd24iOiB0cnVlfQ==', '--megatron_config', '/workspace/megatron_config.json'] exits with return code = -7"],
        ["crash-corpus DeepSpeed-3581, https://github.com/deepspeedai/DeepSpeed/issues/3581 (the -11 form, read before this round)", "[2023-05-20 12:02:54,095] [ERROR] [launch.py:324:sigkill_handler] ['/data/anaconda3/envs/ljy_lmflow/bin/python3.9', '-u', 'main.py', '--local_rank=0'] exits with return code = -11"],
      ],
      nearMiss: [
        ["[2023-05-17 11:25:13,146] [ERROR] [launch.py:324:sigkill_handler] ['/usr/bin/python', '-u', 'train.py', '--local_rank=1'] exits with return code = 1", null],
        ["[2023-04-14 13:11:27,885] [ERROR] [launch.py:434:sigkill_handler] ['/usr/bin/python3', '-u', 'main.py', '--local_rank=0'] exits with return code = -9", "killed_launcher_signal"],
        ["exits with return code = -70", null],
      ],
    },
    {
      // pybind11's bytes/bytearray/tuple/... constructors fail with `Could not allocate <type> object!` when CPython returns
      // NULL for the new object (PyBytes_FromStringAndSize: MemoryError): a host allocation, e.g. torch.save's writer
      // copying a whole storage into one bytes object for a Python file object, or the legacy ONNX exporter returning
      // the serialized model.
      rule: "host_oom_library",
      real: [
        ["crash-corpus zzl pytorch-76108, https://github.com/pytorch/pytorch/issues/76108 (torch.save under Jupyter on Windows)", "RuntimeError: Could not allocate bytes object!"],
        ["an ML-Agents training run (mlagents' torch trainer on Windows) quoted in a Unity project's C# comment, found with the search tool's find_string (id 43597861; the index names no repository)", "    오류 발생: RuntimeError: Could not allocate bytes object!"],
      ],
      nearMiss: [
        // A C test's assertion message of another library (sicgl): not pybind11's failure.
        ["  TEST_ASSERT_NOT_NULL_MESSAGE(bytes, \"could not allocate bytes object\");", null],
        ["TypeError: Unable to convert function return value to a Python type! The signature was", null],
        ["RuntimeError: Could not allocate tensor", null],
        // pybind11 < 2.6's py::str constructor fails so on a std::string that is not valid UTF-8 (PyUnicode_FromStringAndSize
        // returns NULL with a UnicodeDecodeError, no allocation failed): https://github.com/pybind/pybind11/issues/1700, a
        // property returning a mixed ASCII/multi-byte string; dlisio's broken-UTF-8 label test is marked xfail with the
        // same reason. Not host memory.
        ['but got a RuntimeError: "Could not allocate string object!"', null],
        ["RuntimeError: Could not allocate string object!", null],
      ],
    },
    {
      // Caffe's WriteProtoToBinaryFile (src/caffe/util/io.cpp): `CHECK(proto.SerializeToOstream(&output))`, the stream
      // failing while a snapshot (.caffemodel/.solverstate) or a mean file is written: a write failure with no errno,
      // read as disk_full like torch's `file write failed`.
      rule: "disk_full_caffe_proto_write",
      real: [
        ["crash-corpus zzl c3d-13, https://github.com/facebookarchive/C3D/issues/13 (snapshots 1000-9000 were written)", "F0606 09:01:48.148102 23862 io.cpp:72] Check failed: proto.SerializeToOstream(&output)"],
        ["crash-corpus zzl digits-84, https://github.com/NVIDIA/DIGITS/issues/84 (the snapshot at 7716 was written)", "Check failed: proto.SerializeToOstream(&output)"],
        ["https://github.com/BVLC/caffe/issues/1394", "F1104 12:49:05.126173 31209 io.cpp:66] Check failed: proto.SerializeToOstream(&output)"],
        ["https://github.com/NVIDIA/caffe/issues/309 (the maintainer: running out of disk space, or NVIDIA/caffe#9's issue)", "F0426 20:35:38.413489 10668 io.cpp:69] Check failed: proto.SerializeToOstream(&output)"],
        ["https://github.com/CLT29/OpenSALICON/issues/2", "F1122 09:19:43.967656 16306 io.cpp:69] Check failed: proto.SerializeToOstream(&output) "],
        ["https://github.com/BVLC/caffe/issues/387 (compute_image_mean writing the mean file)", "F0504 14:25:37.100920 2025406848 io.cpp:69] Check failed: proto.SerializeToOstream(&output) "],
      ],
      nearMiss: [
        // The snapshot notices a healthy run prints (zk enet-8, zk caffe-2006).
        ["I0627 03:28:14.539170 10388 solver.cpp:454] Snapshotting to binary proto file /home/chamcham/Dev/ENet/weights/snapshots_encoder/enet_iter_75000.caffemodel", null],
        ["I0627 03:28:14.571485 10388 sgd_solver.cpp:273] Snapshotting solver state to binary proto file /home/chamcham/Dev/ENet/weights/snapshots_encoder/enet_iter_75000.solverstate", null],
        // The glog stack frame of the same abort, and the reader's CHECK (a file that cannot be parsed: zk intel-caffe-60).
        ["    @           0x4508eb  caffe::WriteProtoToBinaryFile()", null],
        ["F0101 01:14:29.242821  7694 upgrade_proto.cpp:132] Check failed: ReadProtoFromBinaryFile(param_file, param) Failed to parse NetParameter file: /home/demouser/intelcaffe/models/bvlc_reference_caffenet/bvlc_reference_caffenet.caffemodel", "ckpt_bad_format"],
      ],
    },
    {
      // The same family in dmlc-core's local file stream (MXNet, XGBoost): `CHECK_EQ(std::fwrite(ptr, 1, size, fp_),
      // size) << "FileStream.Write incomplete"`, a short write of a checkpoint (.params) or model file: a full volume.
      rule: "disk_full",
      real: [
        ["crash-corpus fresh6 (studied) x-mxnet-6050, https://github.com/apache/mxnet/issues/6050 (after epoch 39's checkpoint)", "[16:24:41] include/dmlc/logging.h:303: [16:24:41] src/io/local_filesys.cc:39: Check failed: std::fwrite(ptr, 1, size, fp_) == size FileStream.Write incomplete"],
        ["https://github.com/awslabs/gluonts/issues/2949 (its title, newer dmlc's CHECK_EQ form)", "MXNetError: Check failed: std: :fwrite(ptr, 1, size, fp_) == size: FileStream.Write incomplete"],
      ],
      nearMiss: [
        // https://github.com/apache/mxnet/issues/5997's title: the user's words, not the writer's.
        ["incomplete write when trying to save/load module", null],
        ["INFO:root:Saved checkpoint to \"./models/resnet-152/resnet-152-train-224-0039.params\"", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-second round (zzl): whole entries", () => {
  const cases: [string, string, string][] = [
    ["segfault/zzl-llm-foundry-258-composer-launcher-rank-crashed-exit-code-7.log", "segfault", "segfault_exit_code"],
    ["host_oom/zzl-pytorch-76108-yolo-torch-save-could-not-allocate-bytes-object.log", "host_oom", "host_oom_library"],
    ["disk_full/zzl-digits-84-snapshot-iter-8359-serialize-to-ostream-failed.log", "disk_full", "disk_full_caffe_proto_write"],
    // The CHECK is the cause; the shell's `Aborted (core dumped)` after glog's stack is what the abort printed.
    ["disk_full/zzl-c3d-13-finetune-iter-10000-snapshot-write-check-failed.log", "disk_full", "disk_full_caffe_proto_write"],
    ["disk_full/x-mxnet-6050-checkpoint-filestream-write-incomplete.log", "disk_full", "disk_full"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }
});
