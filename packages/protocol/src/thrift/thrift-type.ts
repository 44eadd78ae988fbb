/**
 * Thrift's value types, numbered as the binary protocol numbers them. The
 * compact protocol has its own numbers on the wire; its reader translates them
 * so that decoders are written once for both protocols.
 */
export enum TType {
  Stop = 0,
  Void = 1,
  Bool = 2,
  Byte = 3,
  Double = 4,
  I16 = 6,
  I32 = 8,
  I64 = 10,
  String = 11,
  Struct = 12,
  Map = 13,
  Set = 14,
  List = 15,
  Uuid = 16,
}

/** Thrift message types (the envelope of a call). */
export enum TMessageType {
  Call = 1,
  Reply = 2,
  Exception = 3,
  Oneway = 4,
}

export interface ThriftMessageHeader {
  readonly name: string;
  readonly type: TMessageType;
  readonly seqId: number;
}

export type ThriftProtocol = 'binary' | 'compact';
