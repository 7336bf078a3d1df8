/**
 * Minimal typings for the parts of `dns-packet` 5.x used by the sandbox DNS server and the DNS
 * client (the package ships no types and @types/dns-packet is not a dependency).
 */
declare module 'dns-packet' {
  export interface Question {
    type: string;
    name: string;
    class?: string;
  }
  export interface Answer {
    type: string;
    name: string;
    ttl?: number;
    class?: string;
    flush?: boolean;
    data?: any;
  }
  export interface Packet {
    id?: number;
    type?: 'query' | 'response';
    flags?: number;
    rcode?: string;
    flag_aa?: boolean;
    flag_tc?: boolean;
    opcode?: string;
    questions?: Question[];
    answers?: Answer[];
    authorities?: Answer[];
    additionals?: Answer[];
  }
  export const AUTHORITATIVE_ANSWER: number;
  export const TRUNCATED_RESPONSE: number;
  export const RECURSION_DESIRED: number;
  export const RECURSION_AVAILABLE: number;
  export function encode(packet: Packet, buf?: Buffer, offset?: number): Buffer;
  export function decode(buf: Buffer, offset?: number): Packet;
  export function streamEncode(packet: Packet): Buffer;
  export function streamDecode(buf: Buffer): Packet;
  export function encodingLength(packet: Packet): number;
  const dnsPacket: {
    AUTHORITATIVE_ANSWER: number;
    TRUNCATED_RESPONSE: number;
    RECURSION_DESIRED: number;
    RECURSION_AVAILABLE: number;
    encode: typeof encode;
    decode: typeof decode;
    streamEncode: typeof streamEncode;
    streamDecode: typeof streamDecode;
    encodingLength: typeof encodingLength;
  };
  export default dnsPacket;
}
