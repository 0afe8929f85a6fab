#!/usr/bin/python3
"""with_openblas.py -- runs a PyTorch script with the OpenMP OpenBLAS in front of Debian's BLAS.

  /usr/bin/python3 bench/peer/with_openblas.py <dir of libblas.so.3> <script.py> [args...]

Debian's torch links libblas.so.3, the slow reference BLAS unless OpenBLAS is
put in front of it (../shared/peers/README.md). LD_LIBRARY_PATH would do, but
Deno lets a task set it for a child only with unrestricted --allow-run; so
this loads the unpacked OpenBLAS's libblas.so.3 and liblapack.so.3 globally
before torch is imported (the dynamic loader satisfies torch's dependency by
soname from the library already loaded), then runs the script as __main__.
"""
import ctypes
import os
import runpy
import sys

lib = sys.argv[1]
for name in ("libblas.so.3", "liblapack.so.3"):
    ctypes.CDLL(os.path.join(lib, name), mode=ctypes.RTLD_GLOBAL)
sys.argv = sys.argv[2:]
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0])))
runpy.run_path(sys.argv[0], run_name="__main__")
