/** Protobuf wire types (the low three bits of a field tag). 6 and 7 are invalid. */
export enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}
