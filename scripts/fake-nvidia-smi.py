#!/usr/bin/env python3
"""A stand-in `nvidia-smi` for scripts/measure-gpu.sh, shaped like the DGX Spark (GB10,
driver 580.126.09) captures in tests/fixtures/nvidia-smi: `[N/A]` framebuffer memory,
35 °C, about 11 W. It answers the three forms sparkdeck runs (`-q -x`,
`--query-gpu=… -lms N`, `--query-compute-apps=…`), prints fields by name in the order asked,
and appends one line per run to $FAKE_SMI_LOG, so the measurement can count spawns.

The `-lms` stream is one process that sleeps in-process between ticks, as the real tool
does, so it adds no process per tick of its own."""
import os
import sys
import time

UUID = "GPU-6f1d2a0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b"
NA = "[N/A]"
GPU = {
    "index": "0", "uuid": UUID, "gpu_uuid": UUID, "name": "NVIDIA GB10",
    "gpu_name": "NVIDIA GB10", "pci.bus_id": "0000000F:01:00.0",
    "driver_version": "580.126.09", "pstate": "P0", "utilization.gpu": "0",
    "utilization.memory": "0", "memory.total": NA, "memory.used": NA, "memory.free": NA,
    "temperature.gpu": "35", "power.draw": "11.17", "power.limit": NA, "clocks.gr": "208",
    "clocks.sm": "208", "clocks.mem": NA, "fan.speed": NA,
}
APPS = [
    {"pid": "2804", "process_name": "/usr/lib/xorg/Xorg", "used_memory": "179"},
    {"pid": "3060", "process_name": "/usr/bin/gnome-shell", "used_memory": "48"},
    {"pid": "2283430", "process_name": "VLLM::EngineCore", "used_memory": "61383"},
]
XML = f"""<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v13.dtd">
<nvidia_smi_log>
\t<driver_version>580.126.09</driver_version>
\t<cuda_version>13.0</cuda_version>
\t<attached_gpus>1</attached_gpus>
\t<gpu id="0000000F:01:00.0">
\t\t<product_name>NVIDIA GB10</product_name>
\t\t<persistence_mode>Enabled</persistence_mode>
\t\t<addressing_mode>ATS</addressing_mode>
\t\t<uuid>{UUID}</uuid>
\t</gpu>
</nvidia_smi_log>
"""


def row(values, fields):
    return ", ".join(values.get(f, NA) for f in fields)


def main(argv):
    log = os.environ.get("FAKE_SMI_LOG")
    if log:
        with open(log, "a") as f:
            f.write(f"{time.time():.3f} {' '.join(argv)}\n")
    fields, mode, lms = [], None, None
    for i, a in enumerate(argv):
        if a.startswith("--query-gpu="):
            mode, fields = "gpu", a.split("=", 1)[1].split(",")
        elif a.startswith("--query-compute-apps="):
            mode, fields = "apps", a.split("=", 1)[1].split(",")
        elif a == "-x":
            mode = "xml"
        elif a == "-lms" and i + 1 < len(argv):
            lms = int(argv[i + 1])
    if mode == "xml":
        sys.stdout.write(XML)
    elif mode == "apps":
        for app in APPS:
            print(row(dict(app, gpu_uuid=UUID, name=app["process_name"]), fields))
    elif mode == "gpu":
        tick = 0
        while True:
            # Power moves a little every tick, as on a real box, so each sample is news.
            values = dict(GPU, **{"power.draw": f"{11.17 + (tick % 5) * 0.13:.2f}"})
            print(row(values, fields), flush=True)
            if lms is None:
                return 0
            tick += 1
            time.sleep(lms / 1000)
    else:
        print("fake nvidia-smi: unsupported arguments", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(0)
