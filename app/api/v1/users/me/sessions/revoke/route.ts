import { endAllSessions } from "@/lib/access/users";
import { secureCookies, sessionCookieName } from "@/lib/auth/session-cookie";
import { ApiError } from "@/lib/http/errors";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/**
 * "Sign out everywhere": ends every session of the signed-in user, this one included, and
 * clears this browser's cookie. Every role may do it for themselves: the permission asked
 * is one all roles hold; an API key has no sessions and is refused.
 */
export const POST = withRoute({ permission: "spend:read" }, async (route) => {
  const { principal } = route;
  if (principal.kind !== "user") throw new ApiError("forbidden", "Only a signed-in user can end their sessions; an API key has none.");
  await endAllSessions(route, { userId: principal.userId });
  const secure = secureCookies();
  return jsonResponse({ sessions_ended: true }, 200, {
    "set-cookie": `${sessionCookieName(secure)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`,
  });
});
