/**
 * PPTP control messages over TCP port 1723 (print-pptp.c, RFC 2637): `: pptp CTRL_MSGTYPE=SCCRQ
 * PROTO_VER(1.0) ...`, with the header's magic cookie and reserved fields checked.
 * Each message is a list of fields, printed in order by one table-driven loop.
 */
import type { PrintContext } from './context.js';
import { registerTcpPort } from './dispatch.js';
import { fnPrintChar } from './text.js';
import { toMap, tok2str } from './tok.js';

const MAGIC_COOKIE = 0x1a2b3c4d;
const MSG_NAMES = ['NOT_DEFINED', 'SCCRQ', 'SCCRP', 'StopCCRQ', 'StopCCRP', 'ECHORQ', 'ECHORP', 'OCRQ', 'OCRP', 'ICRQ', 'ICRP', 'ICCN', 'CCRQ', 'CDN', 'WEN', 'SLI'];

const ERRCODE = toMap([[0, 'None'], [1, 'Not-Connected'], [2, 'Bad-Format'], [3, 'Bad-Value'], [4, 'No-Resource'], [5, 'Bad-Call-ID'], [6, 'PAC-Error']]);
const BTYPE = toMap([[1, 'A'], [2, 'D'], [3, 'Any']]);
const FTYPE = toMap([[1, 'A'], [2, 'S'], [3, 'E']]);
const RESULT: Record<number, ReadonlyMap<number, string>> = {
  2: toMap([[1, 'Successful channel establishment'], [2, 'General error'], [3, 'Command channel already exists'], [4, 'Requester is not authorized to establish a command channel'], [5, 'The protocol version of the requester is not supported']]),
  4: toMap([[1, 'OK'], [2, 'General Error']]),
  6: toMap([[1, 'OK'], [2, 'General Error']]),
  8: toMap([[1, 'Connected'], [2, 'General Error'], [3, 'No Carrier'], [4, 'Busy'], [5, 'No Dial Tone'], [6, 'Time-out'], [7, 'Do Not Accept']]),
  10: toMap([[1, 'Connect'], [2, 'General Error'], [3, 'Do Not Accept']]),
  13: toMap([[1, 'Lost Carrier'], [2, 'General Error'], [3, 'Admin Shutdown'], [4, 'Request']]),
};

/** field kinds: [kind, offset, (for strings) the field holding the length] */
type Field = readonly [string, number, number?];
const MESSAGES: Record<number, readonly Field[]> = {
  1: [['ver', 0], ['rsv2', 2], ['fcap', 4], ['bcap', 8], ['maxch', 12], ['firm', 14], ['host', 16], ['vendor', 80]],
  2: [['ver', 0], ['result', 2], ['err', 3], ['fcap', 4], ['bcap', 8], ['maxch', 12], ['firm', 14], ['host', 16], ['vendor', 80]],
  3: [['reason', 0], ['rsv1', 1], ['rsv2', 2]],
  4: [['result', 0], ['err', 1], ['rsv2', 2]],
  5: [['id', 0]],
  6: [['id', 0], ['result', 4], ['err', 5], ['rsv2', 6]],
  7: [['callid', 0], ['callser', 2], ['minbps', 4], ['maxbps', 8], ['btype', 12], ['ftype', 16], ['rwin', 20], ['delay', 22], ['phonelen', 24], ['rsv2', 26], ['phone', 28, 24], ['subaddr', 92]],
  8: [['callid', 0], ['peer', 2], ['result', 4], ['err', 5], ['cause', 6], ['speed', 8], ['rwin', 12], ['delay', 14], ['phy', 16]],
  9: [['callid', 0], ['callser', 2], ['btype', 4], ['phy', 8], ['dialedlen', 12], ['dialinglen', 14], ['dialed', 16, 12], ['dialing', 80, 14], ['subaddr', 144]],
  10: [['callid', 0], ['peer', 2], ['result', 4], ['err', 5], ['rwin', 6], ['delay', 8], ['rsv2', 10]],
  11: [['peer', 0], ['rsv2', 2], ['speed', 4], ['rwin', 8], ['delay', 10], ['ftype', 12]],
  12: [['callid', 0], ['rsv2', 2]],
  13: [['callid', 0], ['result', 2], ['err', 3], ['cause', 4], ['rsv2', 6], ['stats', 8]],
  14: [['peer', 0], ['rsv2', 2], ['crc', 4], ['framing', 8], ['hwover', 12], ['bufover', 16], ['timeout', 20], ['align', 24]],
  15: [['peer', 0], ['rsv2', 2], ['saccm', 4], ['raccm', 8]],
};

/** nd_printjnp: up to `n` characters, stopping at a NUL. */
function printjnp(ctx: PrintContext, p: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = ctx.u8(p + i);
    if (c === 0) return;
    ctx.s += fnPrintChar(c);
  }
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, '0');
}

function field(ctx: PrintContext, type: number, f: Field, p: number): void {
  const o = p + f[1];
  switch (f[0]) {
    case 'ver': { const v = ctx.be16(o); ctx.s += ' PROTO_VER(' + (v >> 8) + '.' + (v & 0xff) + ')'; break; }
    case 'rsv1': { const v = ctx.u8(o); if (v) ctx.s += ' [ERROR: reserved=' + v + ' must be zero]'; break; }
    case 'rsv2': { const v = ctx.be16(o); if (v) ctx.s += ' [ERROR: reserved=' + v + ' must be zero]'; break; }
    case 'fcap': { const v = ctx.be32(o); ctx.s += ' FRAME_CAP(' + (v & 1 ? 'A' : '') + (v & 2 ? 'S' : '') + ')'; break; }
    case 'bcap': { const v = ctx.be32(o); ctx.s += ' BEARER_CAP(' + (v & 2 ? 'D' : '') + (v & 1 ? 'A' : '') + ')'; break; }
    case 'maxch': ctx.s += ' MAX_CHAN(' + ctx.be16(o) + ')'; break;
    case 'firm': ctx.s += ' FIRM_REV(' + ctx.be16(o) + ')'; break;
    case 'host': ctx.s += ' HOSTNAME('; printjnp(ctx, o, 64); ctx.s += ')'; break;
    case 'vendor': ctx.s += ' VENDOR('; printjnp(ctx, o, 64); ctx.s += ')'; break;
    case 'subaddr': ctx.s += ' SUB_ADDR('; printjnp(ctx, o, 64); ctx.s += ')'; break;
    case 'stats': ctx.s += ' CALL_STATS('; printjnp(ctx, o, 128); ctx.s += ')'; break;
    case 'result': {
      const v = ctx.u8(o);
      ctx.s += ' RESULT_CODE(' + v;
      if (ctx.vflag && RESULT[type] !== undefined) ctx.s += ':' + tok2str(RESULT[type], '?', v);
      ctx.s += ')';
      break;
    }
    case 'err': {
      const v = ctx.u8(o);
      ctx.s += ' ERR_CODE(' + v + (ctx.vflag ? ':' + tok2str(ERRCODE, '?', v) : '') + ')';
      break;
    }
    case 'reason': {
      const v = ctx.u8(o);
      ctx.s += ' REASON(' + v;
      if (ctx.vflag) ctx.s += v === 1 ? ':None' : v === 2 ? ':Stop-Protocol' : v === 3 ? ':Stop-Local-Shutdown' : ':?';
      ctx.s += ')';
      break;
    }
    case 'id': ctx.s += ' ID(' + ctx.be32(o) + ')'; break;
    case 'callid': ctx.s += ' CALL_ID(' + ctx.be16(o) + ')'; break;
    case 'callser': ctx.s += ' CALL_SER_NUM(' + ctx.be16(o) + ')'; break;
    case 'peer': ctx.s += ' PEER_CALL_ID(' + ctx.be16(o) + ')'; break;
    case 'cause': ctx.s += ' CAUSE_CODE(' + ctx.be16(o) + ')'; break;
    case 'speed': ctx.s += ' CONN_SPEED(' + ctx.be32(o) + ')'; break;
    case 'rwin': ctx.s += ' RECV_WIN(' + ctx.be16(o) + ')'; break;
    case 'delay': ctx.s += ' PROC_DELAY(' + ctx.be16(o) + ')'; break;
    case 'phy': ctx.s += ' PHY_CHAN_ID(' + ctx.be32(o) + ')'; break;
    case 'minbps': ctx.s += ' MIN_BPS(' + ctx.be32(o) + ')'; break;
    case 'maxbps': ctx.s += ' MAX_BPS(' + ctx.be32(o) + ')'; break;
    case 'btype': ctx.s += ' BEARER_TYPE(' + tok2str(BTYPE, '?', ctx.be32(o)) + ')'; break;
    case 'ftype': ctx.s += ' FRAME_TYPE(' + tok2str(FTYPE, '?', ctx.be32(o)) + ')'; break;
    case 'phonelen': ctx.s += ' PHONE_NO_LEN(' + ctx.be16(o) + ')'; break;
    case 'dialedlen': ctx.s += ' DIALED_NO_LEN(' + ctx.be16(o) + ')'; break;
    case 'dialinglen': ctx.s += ' DIALING_NO_LEN(' + ctx.be16(o) + ')'; break;
    case 'phone':
    case 'dialed':
    case 'dialing': {
      const name = f[0] === 'phone' ? 'PHONE_NO' : f[0] === 'dialed' ? 'DIALED_NO' : 'DIALING_NO';
      ctx.s += ' ' + name + '(';
      printjnp(ctx, o, Math.min(64, ctx.be16(p + (f[2] as number))));
      ctx.s += ')';
      break;
    }
    case 'crc': ctx.s += ' CRC_ERR(' + ctx.be32(o) + ')'; break;
    case 'framing': ctx.s += ' FRAMING_ERR(' + ctx.be32(o) + ')'; break;
    case 'hwover': ctx.s += ' HARDWARE_OVERRUN(' + ctx.be32(o) + ')'; break;
    case 'bufover': ctx.s += ' BUFFER_OVERRUN(' + ctx.be32(o) + ')'; break;
    case 'timeout': ctx.s += ' TIMEOUT_ERR(' + ctx.be32(o) + ')'; break;
    case 'align': ctx.s += ' ALIGN_ERR(' + ctx.be32(o) + ')'; break;
    case 'saccm': ctx.s += ' SEND_ACCM(0x' + hex8(ctx.be32(o)) + ')'; break;
    case 'raccm': ctx.s += ' RECV_ACCM(0x' + hex8(ctx.be32(o)) + ')'; break;
  }
}

export function pptpPrint(ctx: PrintContext, p: number): void {
  ctx.protocol = 'pptp';
  ctx.s += ': pptp';
  if (ctx.vflag) {
    ctx.s += ' Length=' + ctx.be16(p);
    const t = ctx.be16(p + 2);
    ctx.s += t === 1 ? ' CTRL-MSG' : t === 2 ? ' MGMT-MSG' : ' UNKNOWN-MSG-TYPE';
  }
  const mc = ctx.be32(p + 4);
  if (mc !== MAGIC_COOKIE) ctx.s += ' UNEXPECTED Magic-Cookie!!(' + hex8(mc) + ')';
  if (ctx.vflag || mc !== MAGIC_COOKIE) ctx.s += ' Magic-Cookie=' + hex8(mc);
  const type = ctx.be16(p + 8);
  ctx.s += type < MSG_NAMES.length ? ' CTRL_MSGTYPE=' + MSG_NAMES[type] : ' UNKNOWN_CTRL_MSGTYPE(' + type + ')';
  const rsv = ctx.be16(p + 10);
  if (rsv) ctx.s += ' [ERROR: reserved=' + rsv + ' must be zero]';
  const fields = MESSAGES[type];
  if (fields !== undefined) for (const f of fields) field(ctx, type, f, p + 12);
}

// tcp_print tests PPTP after TELNET, SMTP, WHOIS and BGP
registerTcpPort([1723], 50, (ctx, p) => pptpPrint(ctx, p));
