/**
 * A CSV download. The body comes from the one writer (lib/http/csv.ts); the file name is
 * built by the caller from validated parts only (a month, a date), never from tag values.
 */
export function csvResponse(body: string, filename: string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}
