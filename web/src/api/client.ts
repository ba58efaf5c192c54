// One fetch-based client for /api/v1: cookie session, CSRF header on every non-GET,
// and application/problem+json errors turned into a typed ApiError.

export interface FieldError {
  field: string
  code: string
  message: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: FieldError[]
}

export class ApiError extends Error {
  readonly status: number
  readonly title: string
  readonly detail: string
  readonly type: string
  /** field name → first message for it, to show next to the form field. */
  readonly fieldErrors: Record<string, string>

  constructor(status: number, problem: Problem) {
    const title = problem.title || `HTTP ${status}`
    super(problem.detail ? `${title}：${problem.detail}` : title)
    this.name = 'ApiError'
    this.status = status
    this.title = title
    this.detail = problem.detail ?? ''
    this.type = problem.type ?? 'about:blank'
    this.fieldErrors = {}
    for (const e of problem.errors ?? []) {
      if (e.field && !(e.field in this.fieldErrors)) this.fieldErrors[e.field] = e.message
    }
  }

  get isNotFoundOrForbidden(): boolean {
    return this.status === 404 || this.status === 403
  }
}

const BASE = '/api/v1'
let csrfToken = ''
let onUnauthorized: (() => void) | null = null

export function setCsrfToken(token: string | undefined | null): void {
  csrfToken = token ?? ''
}

/** Called once per 401 so the app can send the user to the right sign-in page. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn
}

export type Query = Record<string, string | number | boolean | null | undefined>

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return `${BASE}${path}${qs ? `?${qs}` : ''}`
}

interface RequestOptions {
  query?: Query
  json?: unknown
  body?: BodyInit
  contentType?: string
  /** Skip the global 401 redirect (the sign-in and /me probes handle 401 themselves). */
  quiet401?: boolean
  headers?: Record<string, string>
}

async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) }
  let body: BodyInit | undefined = opts.body
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.json)
  } else if (opts.contentType) {
    headers['Content-Type'] = opts.contentType
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken

  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError(0, { title: 'network' })
  }
  if (res.ok) return res

  let problem: Problem = {}
  const type = res.headers.get('Content-Type') ?? ''
  if (type.includes('json')) {
    try {
      problem = (await res.json()) as Problem
    } catch {
      /* an empty or broken body still yields an error with the status */
    }
  }
  const err = new ApiError(res.status, problem)
  if (res.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized()
  throw err
}

async function json<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
  const res = await send(method, path, opts)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const http = {
  get: <T>(path: string, query?: Query, quiet401 = false) => json<T>('GET', path, { query, quiet401 }),
  post: <T>(path: string, body?: unknown, query?: Query, quiet401 = false, headers?: Record<string, string>) =>
    json<T>('POST', path, { json: body ?? {}, query, quiet401, headers }),
  put: <T>(path: string, body: unknown) => json<T>('PUT', path, { json: body }),
  patch: <T>(path: string, body: unknown) => json<T>('PATCH', path, { json: body }),
  del: <T = void>(path: string) => json<T>('DELETE', path),
  raw: <T>(method: string, path: string, body: BodyInit, contentType: string, query?: Query) =>
    json<T>(method, path, { body, contentType, query }),
  /** GET a file; returns the blob and the file name from Content-Disposition. */
  async download(path: string, query?: Query): Promise<{ blob: Blob; filename: string }> {
    const res = await send('GET', path, { query })
    const cd = res.headers.get('Content-Disposition') ?? ''
    const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
    const plain = /filename="?([^";]+)"?/i.exec(cd)
    const filename = star ? decodeURIComponent(star[1]) : plain ? plain[1] : ''
    return { blob: await res.blob(), filename }
  },
}
