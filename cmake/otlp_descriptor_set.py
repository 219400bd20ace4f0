#!/usr/bin/env python3
"""Turn the official opentelemetry-proto wheel (PyPI) into a FileDescriptorSet for protoc.

The wheel's generated *_pb2.py modules embed each .proto file's serialized FileDescriptorProto
as a bytes literal passed to AddSerializedFile(). We read those literals with `ast` (no protobuf
runtime needed, so the build does not depend on the venv) and concatenate them as field 1 of a
google.protobuf.FileDescriptorSet, dependencies first, which `protoc --descriptor_set_in` accepts.
This keeps the schema byte-for-byte the upstream release's without copying .proto files into git.

usage: otlp_descriptor_set.py WHEEL OUT.pb
"""
import ast
import sys
import zipfile

# Dependencies before dependants: protoc requires every import to precede its user in the set.
MODULES = [
    "opentelemetry/proto/common/v1/common_pb2.py",
    "opentelemetry/proto/resource/v1/resource_pb2.py",
    "opentelemetry/proto/trace/v1/trace_pb2.py",
    "opentelemetry/proto/collector/trace/v1/trace_service_pb2.py",
]


def serialized_file(source: str, name: str) -> bytes:
    for node in ast.walk(ast.parse(source, name)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "AddSerializedFile" and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, bytes)):
            return node.args[0].value
    raise SystemExit(f"{name}: no AddSerializedFile(b'...') found; wheel layout changed?")


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    wheel, out_path = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(wheel) as zf:
        payload = b"".join(
            b"\x0a" + varint(len(fd)) + fd
            for fd in (serialized_file(zf.read(m).decode(), m) for m in MODULES))
    with open(out_path, "wb") as f:
        f.write(payload)


if __name__ == "__main__":
    main()
