/**
 * Address allow-lists (BURNRATE_METRICS_ALLOW): comma-separated IPv4/IPv6 addresses and
 * CIDRs. Pure, no DNS, no Node networking: parsed once, then matched with integer
 * arithmetic on 32- or 128-bit values.
 *
 * An IPv4-mapped IPv6 address ("::ffff:10.1.2.3", what a dual-stack socket reports for an
 * IPv4 peer) is treated as the IPv4 address it carries, on both sides, so "10.0.0.0/8"
 * admits it and "::/0" (all of IPv6) does not: allowing everything takes
 * "0.0.0.0/0,::/0".
 */

export interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

export interface AllowRule extends ParsedAddress {
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;
const MAPPED_PREFIX = 0xffffn << 32n; // ::ffff:0:0/96
const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIPv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: "010" is octal to some parsers and decimal to others.
    if (!DECIMAL_OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** Hex groups of one side of "::" (a trailing dotted IPv4 counts as two groups). */
function ipv6Groups(side: string, allowIPv4Tail: boolean): number[] | null {
  if (side === "") return [];
  const parts = side.split(":");
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (allowIPv4Tail && index === parts.length - 1 && part.includes(".")) {
      const v4 = parseIPv4(part);
      if (v4 === null) return null;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (HEX_GROUP.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function parseIPv6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  let groups: number[];
  if (halves.length === 2) {
    const head = ipv6Groups(halves[0] ?? "", false);
    const tail = ipv6Groups(halves[1] ?? "", true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = ipv6Groups(text, true);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** An IP address (a zone, "%eth0", is ignored), or null when it is not one. Mapped IPv4 comes back as IPv4. */
export function parseAddress(text: string): ParsedAddress | null {
  const address = text.trim().replace(/%[^%]*$/, "");
  if (address.includes(":")) {
    const value = parseIPv6(address);
    if (value === null) return null;
    if (value >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, value: value & 0xffffffffn };
    return { family: 6, value };
  }
  const value = parseIPv4(address);
  return value === null ? null : { family: 4, value };
}

/** One entry: "10.0.0.0/8", "::1", "2001:db8::/32". Throws naming the entry when it is neither an address nor a CIDR. */
export function parseAllowRule(entry: string): AllowRule {
  const text = entry.trim();
  const invalid = (why: string) => new Error(`"${text}" is not an IP address or CIDR (${why})`);
  const [addressText = "", prefixText, ...extra] = text.split("/");
  if (extra.length > 0) throw invalid("more than one /");
  if (addressText.includes("%")) throw invalid("zones are not allowed");
  const wasIPv6 = addressText.includes(":");
  const address = parseAddress(addressText);
  if (!address) throw invalid("not an address");
  if (prefixText === undefined) return { ...address, prefix: BITS[address.family] };
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) throw invalid("the prefix length must be a number");
  let prefix = Number(prefixText);
  if (wasIPv6 && address.family === 4) {
    // Written as mapped IPv6: the prefix counts the 96 bits of ::ffff: too.
    if (prefix < 96 || prefix > 128) throw invalid("a mapped IPv4 prefix must be between /96 and /128; write the IPv4 form");
    prefix -= 96;
  }
  if (prefix > BITS[address.family]) throw invalid(`the prefix length is at most ${BITS[address.family]}`);
  return { ...address, prefix };
}

/** "a, b/24, ..." → rules; empty entries are skipped; the first bad entry throws. */
export function parseAllowList(list: string): AllowRule[] {
  return list
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map(parseAllowRule);
}

export function ruleMatches(rule: AllowRule, address: ParsedAddress): boolean {
  if (rule.family !== address.family) return false;
  const shift = BigInt(BITS[rule.family] - rule.prefix);
  return rule.value >> shift === address.value >> shift;
}

/** Whether the address is on the list; anything that is not an address (empty, garbage) is not. */
export function isAllowed(rules: readonly AllowRule[], addressText: string | null | undefined): boolean {
  if (!addressText) return false;
  const address = parseAddress(addressText);
  return address !== null && rules.some((rule) => ruleMatches(rule, address));
}

// Settings do not change while the process runs: parse each distinct list once.
const parsedLists = new Map<string, AllowRule[]>();

/** parseAllowList, memoised per list text; a bad entry's error names the setting it came from. */
export function allowListOf(list: string, setting = "allow-list"): AllowRule[] {
  let rules = parsedLists.get(list);
  if (!rules) {
    try {
      rules = parseAllowList(list);
    } catch (error) {
      throw new Error(`${setting}: ${error instanceof Error ? error.message : String(error)}`);
    }
    parsedLists.set(list, rules);
  }
  return rules;
}
