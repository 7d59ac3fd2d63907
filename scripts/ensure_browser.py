"""Make sure Debian's Chromium and ChromeDriver are present for the browser tests.

Run by `hatch run test:all` before pytest. Installs them with apt-get when missing and this
process may (root); otherwise says what to run. Browser tests skip when they are absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGES = ("chromium", "chromium-driver")


def present() -> bool:
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


def main() -> int:
    if present():
        return 0
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("installing Debian's chromium and chromium-driver for the browser tests…", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *PACKAGES], check=True, env=env)
        return 0 if present() else 1
    print(
        "chromium/chromedriver not found: browser tests will be skipped. "
        f"Install them with: sudo apt-get install {' '.join(PACKAGES)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
