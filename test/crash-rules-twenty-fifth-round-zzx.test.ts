/**
 * Twenty-fifth rules round (issue 10), tune collection zzx (threads of repositories new to the corpus: Caffe, Chainer,
 * Theano and ROS-era code): from its first-contact misses, the readings that hold for logs not seen. roslaunch reports a
 * node that died of a signal as a negative exit code (`process has died [pid N, exit code -9, cmd ...]`): -9 is a kill,
 * -6 an abort, as -11 already read a segfault. The Tacotron trainers' divergence guard (`Loss exploded to nan at step
 * N`, `Exception: Loss exploded`) is a NaN run. Caffe's weight-shape refusals were left to the lead: the long-tail
 * dictionary reads them followed by glog's abort as segfault (docs/crash-accuracy.md, "Twenty-fifth round: tune
 * collection zzx"). Real lines name where they come from; near misses must not be the rule (null: no rule at all); whole
 * texts check the primary choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-fifth-round-zzx-");

describe("twenty-fifth round (zzx): rule families", () => {
  const families: Family[] = [
    {
      // roslaunch's process monitor (pmon) prints a node's return code; a death by signal is the negative signal
      // number. SIGKILL: the kernel's OOM killer or a `kill -9`. With the launchers' other kill reports.
      rule: "killed_launcher_signal",
      real: [
        ["crash-corpus zzx darknet-ros-56, https://github.com/leggedrobotics/darknet_ros/issues/56", "[trafficlight-2] process has died [pid 2825, exit code -9, cmd /home/nvidia/catkin_workspace/devel/lib/darknet_ros/darknet_ros __name:=trafficlight __log:=/home/nvidia/.ros/log/6e7969ee-058a-11e8-bd57-00044b8c670d/trafficlight-2.log]."],
        ["https://github.com/ros/ros_tutorials/issues/164 (roslaunch's own log record)", "[roslaunch][ERROR] 2024-03-25 08:58:12,306: [rosout-1] process has died [pid 5099, exit code -9, cmd /opt/ros/noetic/lib/rosout/rosout __name:=rosout __log:=/root/.ros/log/cd92deec-ea85-11ee-98b4-f02f7414e170/rosout-1.log]."],
        ["https://github.com/ros/ros_comm/issues/919 (a required node killed with kill -9)", "process has died [pid 4832, exit code -9, cmd /opt/ros/indigo/lib/turtlesim/turtlesim_node __name:=turtlesim_node __log:=/home/USER/.ros/log/a1339242-9d30-11e6-b60e-9c4e36311474/turtlesim_node-1.log]."],
        ["https://github.com/rsasaki0109/lidar_localizer/issues/7", "[ndt_mapping-2] process has died [pid 24977, exit code -9, cmd /home/xxx/catkin_ws/devel/lib/ndt_mapping/ndt_mapping __name:=ndt_mapping __log:=/home/xxx/.ros/log/ff50fbbc-5da1-11ec-a5f6-103d1c9e0aa7/ndt_mapping-2.log]."],
      ],
      nearMiss: [
        // A node's own error exit (https://github.com/EduardoRosLab/EDLUT_BAXTER/issues/2): no signal, no rule.
        ["[robot_enabler-2] process has died [pid 42646, exit code 1, cmd /home/xianze/EDLUT_BAXTER/edlut_ros_ws/src/edlut_ros/src/robot_enabler_node.py __name:=robot_enabler __log:=/home/xianze/.ros/log/eb352e72-b247-11ed-a3be-7d49c376acb0/robot_enabler-2.log].", null],
        // The other signals of the same report are their own rules (crash-corpus zzx darknet-ros-205: -11).
        ["[darknet_ros-1] process has died [pid 26142, exit code -11, cmd /home/parallels/catkin_ws/devel/lib/darknet_ros/darknet_ros camera/rgb/image_raw:=camera/rgb/image_raw __name:=darknet_ros __log:=/home/parallels/.ros/log/a2c43014-b08d-11ec-b516-814ad1a9efbb/darknet_ros-1.log].", "segfault_exit_code"],
        ["[darknet_ros-1] process has died [pid 7205, exit code -6, cmd /home/rong/ce42/devel/lib/darknet_ros/darknet_ros]", "segfault_abort_exit"],
        // Other numbers and other words.
        ["[node-1] process has died [pid 1234, exit code -90, cmd /opt/ros/bin/node]", null],
        ["[node-1] process has died [pid 1234, exit code 9, cmd /opt/ros/bin/node]", null],
        ["[rosout-1] process has died [pid 5099, exit code 0, cmd /opt/ros/noetic/lib/rosout/rosout]", null],
        ["[node-1] process has finished cleanly", null],
      ],
    },
    {
      // The same report for SIGABRT: a native abort (a failed assert, glibc, an uncaught C++ exception); a symptom at
      // -3 with the consequence trait, so what the node printed before aborting is the cause.
      rule: "segfault_abort_exit",
      real: [
        ["crash-corpus zzx engcang-ros-yolo-sort-5, https://github.com/engcang/ros-yolo-sort/issues/5", "[darknet_ros-1] process has died [pid 7205, exit code -6, cmd /home/rong/ce42/devel/lib/darknet_ros/darknet_ros camera/rgb/image_raw:=usb_cam/image_raw __name:=darknet_ros __log:=/home/rong/.ros/log/86a42996-41f4-11ec-85b4-cf13d8f5a8b0/darknet_ros-1.log]."],
        ["https://github.com/LeiXu1999/EPLF-VINS/issues/10 (a 2025 comment)", "[image_node_b-7] process has died [pid 19892, exit code -6, cmd /root/catkin_ws/devel/lib/image_node_b/image_node_b __name:=image_node_b __log:=/root/.ros/log/2b9de088-5dd8-11f0-b9ae-5aca286a8f79/image_node_b-7.log]."],
      ],
      nearMiss: [
        ["[image_node_b-7] process has died [pid 19892, exit code -60, cmd /root/catkin_ws/devel/lib/image_node_b/image_node_b]", null],
        ["[image_node_b-7] process has died [pid 19892, exit code 6, cmd /root/catkin_ws/devel/lib/image_node_b/image_node_b]", null],
        ["ERROR: error code -6", null],
      ],
    },
    {
      // The Tacotron trainers' divergence guard: keithito's stops on a NaN loss, Rayhane-mamah's (and its WaveNet
      // vocoder's) also on a loss over 100; both log 'Exiting due to exception: ...'.
      rule: "nan_loss_exploded",
      real: [
        ["crash-corpus zzx tacotron2-chinese-20, https://github.com/JasonWei512/Tacotron-2-Chinese/issues/20 (a progress line run into it)", "Loss exploded to 378655.87500 at step 674647500, avg_loss=3793.17030]"],
        ["crash-corpus zzx tacotron2-chinese-20", "Exiting due to exception: Loss exploded"],
        ["crash-corpus zzx tacotron2-chinese-20 (the traceback's exception line)", "Exception: Loss exploded"],
        ["https://github.com/keithito/tacotron/issues/266", "Loss exploded to nan at step 113796!"],
        ["https://github.com/keithito/tacotron/issues/266", "Exiting due to exception: Loss Exploded"],
      ],
      nearMiss: [
        // The raising and logging code lines as a traceback prints them.
        ["    raise Exception('Loss exploded')", null],
        ["      log('Loss exploded to {:.5f} at step {}'.format(loss, step))", null],
        // Healthy progress lines of the same trainers, and the words in prose.
        ["Step   67456 [1.078 sec/step, loss=6.73029, avg_loss=6.65925]", null],
        ["Step 113795  [0.884 sec/step, loss=0.09743, avg_loss=0.08612]", null],
        ["my loss exploded after 110k steps, any idea?", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-fifth round (zzx): whole entries", () => {
  const entries: [string, string, string][] = [
    ["process_killed/zzx-darknet-ros-56-roslaunch-exit-code-9.log", "process_killed", "killed_launcher_signal"],
    ["segfault/zzx-engcang-ros-yolo-sort-5-roslaunch-exit-code-6.log", "segfault", "segfault_abort_exit"],
    ["segfault/zzx-darknet-ros-205-roslaunch-exit-code-11.log", "segfault", "segfault_exit_code"],
    ["nan_loss/zzx-tacotron2-chinese-20-wavenet-loss-exploded.log", "nan_loss", "nan_loss_exploded"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("roslaunch's -6 after a printed cause is that cause's consequence (texts joined from real lines)", async () => {
    // darknet's CUDA check before its assert (https://github.com/leggedrobotics/darknet_ros/issues/7), then zzx
    // engcang-ros-yolo-sort-5's roslaunch lines.
    const cuda = "CUDA Error: invalid device function\ndarknet_ros: /home/fx/catkin_ws/src/darknet_ros-fix-memory_leak/darknet/src/cuda.c:36: check_error: Assertion `0' failed.\n";
    const died = corpus("segfault/zzx-engcang-ros-yolo-sort-5-roslaunch-exit-code-6.log");
    assert.equal((await primaryOf("cuda-then-died.log", cuda + died))?.category, "cuda_error");
  });

  test("the collection's healthy Caffe and trainer logs stay no crash", async () => {
    for (const file of [
      "none/zzx-mobilenet-ssd-9-coco-loss-plateau-healthy.log",
      "none/zzx-mobilenet-ssd-66-snapshot-67000-healthy.log",
      "none/zzx-ssd-custom-dataset-5-optimization-done-eval-zero.log",
      "none/zzx-vitis-ai-tutorials-5-detection-eval-zero-healthy.log",
      "none/zzx-diarizen-6-early-stopping-validation-finished.log",
    ]) assert.equal(await primaryOf(file.split("/")[1]!, corpus(file)), null, file);
  });
});
