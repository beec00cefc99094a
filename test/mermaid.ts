/**
 * Mermaid's own parser, the one that renders diagrams in GitHub and GitLab. It needs a DOM, which jsdom
 * provides here; mermaid-cli would download a browser, which these machines cannot.
 */
export async function mermaidParse(text: string): Promise<string | undefined> {
  if (!('window' in globalThis)) {
    const { JSDOM } = await import('jsdom');
    const dom = new JSDOM('<!doctype html><html><body></body></html>');
    Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  }
  const { default: mermaid } = await import('mermaid');
  try {
    await mermaid.parse(text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
