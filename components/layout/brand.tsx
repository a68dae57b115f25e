import Link from "next/link";

export function Brand() {
  return (
    <Link href="/" className="flex items-center gap-2 rounded-md px-1 py-1 text-zinc-900">
      <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" className="size-6">
        <rect width="24" height="24" rx="6" className="fill-zinc-900" />
        <path
          d="M12 5.5c.6 2.2 3.8 3.9 3.8 7.3A3.8 3.8 0 0 1 12 16.6a3.8 3.8 0 0 1-3.8-3.8c0-1.5.8-2.6 1.6-3.4.1 1.2.8 2 1.6 2.2-.5-2.2.1-4.3.6-6.1z"
          className="fill-amber-400"
        />
      </svg>
      <span className="text-[15px] font-semibold tracking-tight">Burnrate</span>
    </Link>
  );
}
