"""Just enough of the protobuf wire format for greeter.proto and grpc.health.v1: messages whose
fields are strings (wire type 2) or enums/ints (wire type 0). No protoc, no python3-protobuf."""


def _varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode(fields):
    """fields: {field_number: str | int}; empty strings and zeros are omitted, as proto3 does."""
    out = bytearray()
    for number in sorted(fields):
        value = fields[number]
        if isinstance(value, str):
            if value:
                data = value.encode("utf-8")
                out += _varint(number << 3 | 2) + _varint(len(data)) + data
        elif value:
            out += _varint(number << 3 | 0) + _varint(int(value))
    return bytes(out)


def decode(data):
    """Returns {field_number: str | int}; unknown wire types raise ValueError."""
    fields, i = {}, 0

    def read_varint():
        nonlocal i
        shift = result = 0
        while True:
            if i >= len(data):
                raise ValueError("truncated varint")
            byte = data[i]
            i += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7

    while i < len(data):
        key = read_varint()
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            fields[number] = read_varint()
        elif wire_type == 2:
            n = read_varint()
            if i + n > len(data):
                raise ValueError("truncated field")
            fields[number] = data[i:i + n].decode("utf-8")
            i += n
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
    return fields
