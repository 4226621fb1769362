// Every call to the platform's API: the session cookie goes by itself, the CSRF token is
// added to writes, and a problem answer becomes an ApiError with the API's own message.

let csrfToken = null;
const expiredListeners = [];

export function setCsrf(token) { csrfToken = token; }
export function onExpired(listener) { expiredListeners.push(listener); }

export function csrfFromCookie() {
  const m = document.cookie.match(/(?:^|;\s*)fazhi_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : null;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = problem && problem.code;
    this.fields = (problem && problem.fields) || {};
  }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function request(method, path, { params, body, form, expectBlob } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': 'zh-CN' };
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path + query(params), {
    method, headers, body: payload, credentials: 'same-origin',
  });
  if (response.status === 401 && !path.endsWith('/console/session')) {
    expiredListeners.forEach((l) => l());
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch (e) { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  if (expectBlob) return response.blob();
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path, params) => request('GET', path, { params });
export const post = (path, body) => request('POST', path, { body: body || {} });
export const patch = (path, body) => request('PATCH', path, { body });

// every page of a paginated list, up to a bound (the console's lists are an area's)
export async function getAll(path, params, limit = 2000) {
  const items = [];
  for (let page = 1; items.length < limit; page += 1) {
    const data = await get(path, { ...params, page, per_page: 100 });
    items.push(...data.items);
    if (items.length >= data.total || !data.items.length) break;
  }
  return items;
}

// an upload with progress (fetch cannot report upload progress)
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* empty */ }
      if (xhr.status === 401) expiredListeners.forEach((l) => l());
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: '网络中断，请重试。' }));
    xhr.send(formData);
  });
}

export async function download(method, path, { params, body, filename }) {
  const blob = await request(method, path, { params, body, expectBlob: true });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
