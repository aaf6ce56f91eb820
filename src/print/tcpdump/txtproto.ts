/**
 * Text protocols over TCP (print-http.c, print-ftp.c, print-smtp.c, print-rtsp.c via util-print.c
 * txtproto_print): `: HTTP: GET / HTTP/1.1` — the protocol name, and the first line when the
 * payload starts with a known command or a response code; with -v every text line on its own
 * line (`, length: N` first).
 */
import type { PrintContext } from './context.js';
import { registerTcpPort } from './dispatch.js';

const MAX_TOKEN = 128;
const RESP_CODE_SECOND_TOKEN = 1;

const HTTP_CMDS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'ORDERPATCH', 'ACL'];
const RTSP_CMDS = ['OPTIONS', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD'];

function isPrint(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** fetch_token: the index after the token at `idx` and its trailing blanks, 0 when there is none. */
function fetchToken(ctx: PrintContext, p: number, idx: number, len: number, out: { tok: string }): number {
  let tok = '';
  for (; idx < len; idx++) {
    if (!ctx.ttest(p + idx, 1)) return 0;
    const c = ctx.d[p + idx];
    if (c >= 0x80) return 0;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) return 0;
    if (tok.length + 2 > MAX_TOKEN + 1) return 0;
    tok += String.fromCharCode(c);
  }
  if (tok.length === 0) return 0;
  out.tok = tok;
  for (; idx < len; idx++) {
    if (!ctx.ttest(p + idx, 1)) break;
    const c = ctx.d[p + idx];
    if (c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) break;
    if (c !== 0x20 && c !== 0x09) break;
  }
  return idx;
}

/** print_txt_line: `prefix` and the line at `idx`; the index after its end of line, 0 to stop. */
function printTxtLine(ctx: PrintContext, prefix: string, p: number, idx: number, len: number): number {
  const start = idx;
  let lineLen: number;
  while (idx < len) {
    const c = ctx.u8(p + idx);
    if (c === 0x0a) {
      lineLen = idx - start;
      idx++;
      ctx.s += prefix + latin1(ctx.d, p + start, lineLen);
      return idx;
    } else if (c === 0x0d) {
      if (idx + 1 >= len) return 0;
      if (ctx.u8(p + idx + 1) === 0x0a) {
        lineLen = idx - start;
        idx += 2;
        ctx.s += prefix + latin1(ctx.d, p + start, lineLen);
        return idx;
      }
      return 0;
    } else if (!isPrint(c) && c !== 0x09) {
      return 0;
    }
    idx++;
  }
  // printable text with no end of line: shown as cut short
  ctx.s += prefix + latin1(ctx.d, p + start, idx - start);
  ctx.trunc();
  return 0;
}

function latin1(d: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(d[o + i]);
  return s;
}

const tokenBox = { tok: '' };

export function txtprotoPrint(ctx: PrintContext, p: number, len: number, cmds: readonly string[] | null, flags: number): void {
  let printThis = false;
  if (cmds !== null) {
    let idx = fetchToken(ctx, p, 0, len, tokenBox);
    if (idx !== 0) {
      const upper = tokenBox.tok.toUpperCase();
      if (cmds.includes(upper)) printThis = true;
      if (flags & RESP_CODE_SECOND_TOKEN) idx = fetchToken(ctx, p, idx, len, tokenBox);
      if (idx !== 0) {
        const t = tokenBox.tok;
        if (t.length === 3 && t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57 && t.charCodeAt(1) >= 48 && t.charCodeAt(1) <= 57 && t.charCodeAt(2) >= 48 && t.charCodeAt(2) <= 57) printThis = true;
      }
    }
  } else printThis = true;
  ctx.s += ctx.protocol.toUpperCase();
  if (!printThis) return;
  if (ctx.vflag) {
    ctx.s += ', length: ' + len;
    for (let idx = 0; idx < len;) {
      const eol = printTxtLine(ctx, '\n\t', p, idx, len);
      if (eol === 0) break;
      idx = eol;
    }
  } else {
    printTxtLine(ctx, ': ', p, 0, len);
  }
}

// tcp_print's chain order: SMTP (25) before FTP (21) before HTTP (80, 8080) before RTSP (554, 8554)
registerTcpPort([25], 20, (ctx, p, len) => { ctx.s += ': '; ctx.protocol = 'smtp'; txtprotoPrint(ctx, p, len, null, 0); });
registerTcpPort([21], 90, (ctx, p, len) => { ctx.s += ': '; ctx.protocol = 'ftp'; txtprotoPrint(ctx, p, len, null, 0); });
registerTcpPort([80, 8080], 100, (ctx, p, len) => { ctx.s += ': '; ctx.protocol = 'http'; txtprotoPrint(ctx, p, len, HTTP_CMDS, RESP_CODE_SECOND_TOKEN); });
registerTcpPort([554, 8554], 110, (ctx, p, len) => { ctx.s += ': '; ctx.protocol = 'rtsp'; txtprotoPrint(ctx, p, len, RTSP_CMDS, RESP_CODE_SECOND_TOKEN); });

/** ssh_print: the identification line `SSH-2.0-...` when the payload starts with one. */
function sshPrint(ctx: PrintContext, p: number, len: number): void {
  ctx.protocol = 'ssh';
  if (ctx.u8(p) !== 0x53 || ctx.u8(p + 1) !== 0x53 || ctx.u8(p + 2) !== 0x48 || ctx.u8(p + 3) !== 0x2d) return;
  for (let idx = 4; idx < len; idx++) {
    const c = ctx.u8(p + idx);
    if (c === 0x0a || (c === 0x0d && idx + 1 < len && ctx.u8(p + idx + 1) === 0x0a)) {
      ctx.s += ': SSH: ' + latin1(ctx.d, p, idx);
      return;
    }
    if (c === 0x0d || !isPrint(c)) return;
  }
}

registerTcpPort([22], 70, sshPrint);
