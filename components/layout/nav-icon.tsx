import type { NavIconName } from "./nav-items";

// 24×24 stroke paths, drawn in the style of Lucide so no icon package is needed.
const PATHS: Record<NavIconName, string[]> = {
  overview: ["M3 3h7v9H3z", "M14 3h7v5h-7z", "M14 12h7v9h-7z", "M3 16h7v5H3z"],
  showback: ["M3 3v18h18", "M7 15l4-4 3 3 5-6"],
  outcomes: ["M20 6 9 17l-5-5"],
  cache: ["M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3z", "M4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6", "M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"],
  budgets: ["M3 7h18v13H3z", "M16 13.5h.01", "M3 7l13-4v4"],
  alerts: ["M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9", "M10.3 21a1.9 1.9 0 0 0 3.4 0"],
  quotas: ["M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M12 12 16 8", "M12 6v.01", "M6 12h.01", "M18 12h.01"],
  prices: ["M20.6 13.4 13.4 20.6a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8z", "M7.5 7.5h.01"],
  savings: ["M12 3v18", "M17 7H9.5a3 3 0 0 0 0 6h5a3 3 0 0 1 0 6H7"],
  chargeback: ["M6 3h12v18l-3-2-3 2-3-2-3 2z", "M9 8h6", "M9 12h6", "M9 16h3"],
  reconciliation: ["M4 7h16", "M4 7l3 8h-6z", "M20 7l3 8h-6z", "M12 3v18", "M8 21h8"],
  settings: ["M4 21v-7", "M4 10V3", "M12 21v-9", "M12 8V3", "M20 21v-5", "M20 12V3", "M1 14h6", "M9 8h6", "M17 16h6"],
};

export function NavIcon({ name, className }: { name: NavIconName; className?: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.75}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      className={className}
    >
      {PATHS[name].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
