// Page addresses (hash routes, see main.ts).
export function link(page: 'machine' | 'execution' | 'editor', arn?: string): string {
  return arn ? `#/${page}/${encodeURIComponent(arn)}` : `#/${page}`;
}
