// Knowledge-base articles rendered without ever producing HTML: marked's lexer parses the Markdown
// into tokens and this module turns each known token into a Preact element whose content is text.
// Raw HTML in an article is shown as the characters it is written with; links keep only http(s)
// targets; images show their alt text (nothing is fetched).

import { Lexer, type Token, type Tokens } from 'marked';
import type { ComponentChildren } from 'preact';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" };

/** marked keeps a few characters as entities in its text tokens; they become the characters again. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, name: string) => ENTITIES[name]!);
}

function withoutFrontMatter(markdown: string): string {
  return markdown.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
}

function isWebLink(href: string): boolean {
  return /^https?:\/\//i.test(href);
}

function inline(tokens: Token[] | undefined): ComponentChildren {
  return (tokens ?? []).map((token, i) => inlineToken(token, i));
}

function inlineToken(token: Token, key: number): ComponentChildren {
  switch (token.type) {
    case 'strong':
      return <strong key={key}>{inline((token as Tokens.Strong).tokens)}</strong>;
    case 'em':
      return <em key={key}>{inline((token as Tokens.Em).tokens)}</em>;
    case 'del':
      return <del key={key}>{inline((token as Tokens.Del).tokens)}</del>;
    case 'codespan':
      return <code key={key}>{decodeEntities((token as Tokens.Codespan).text)}</code>;
    case 'br':
      return <br key={key} />;
    case 'link': {
      const link = token as Tokens.Link;
      if (!isWebLink(link.href)) return <span key={key}>{inline(link.tokens)}</span>;
      return (
        <a key={key} href={link.href} rel="noopener noreferrer" target="_blank">
          {inline(link.tokens)}
        </a>
      );
    }
    case 'image':
      return <span key={key}>{(token as Tokens.Image).text}</span>;
    case 'text': {
      const text = token as Tokens.Text;
      return text.tokens ? inline(text.tokens) : decodeEntities(text.text);
    }
    case 'escape':
      return decodeEntities((token as Tokens.Escape).text);
    default:
      // html and anything unknown: the source characters, as text
      return token.raw;
  }
}

function block(tokens: Token[]): ComponentChildren {
  return tokens.map((token, i) => blockToken(token, i));
}

function blockToken(token: Token, key: number): ComponentChildren {
  switch (token.type) {
    case 'space':
      return null;
    case 'heading': {
      const heading = token as Tokens.Heading;
      // The article sits under the panel's own heading: its levels start one below.
      const level = Math.min(6, heading.depth + 2);
      const Tag = `h${level}` as 'h3';
      return <Tag key={key}>{inline(heading.tokens)}</Tag>;
    }
    case 'paragraph':
      return <p key={key}>{inline((token as Tokens.Paragraph).tokens)}</p>;
    case 'code':
      return (
        <pre key={key}>
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case 'blockquote':
      return <blockquote key={key}>{block((token as Tokens.Blockquote).tokens)}</blockquote>;
    case 'hr':
      return <hr key={key} />;
    case 'list': {
      const list = token as Tokens.List;
      const items = list.items.map((item, i) => <li key={i}>{block(item.tokens)}</li>);
      return list.ordered ? (
        <ol key={key} start={typeof list.start === 'number' ? list.start : undefined}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
    case 'table': {
      const table = token as Tokens.Table;
      return (
        <div key={key} class="table-scroll">
          <table>
            <thead>
              <tr>
                {table.header.map((cell, i) => (
                  <th key={i} scope="col">
                    {inline(cell.tokens)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, i) => (
                    <td key={i}>{inline(cell.tokens)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'text': {
      const text = token as Tokens.Text;
      return <p key={key}>{text.tokens ? inline(text.tokens) : decodeEntities(text.text)}</p>;
    }
    default:
      // html blocks and anything unknown: the source characters, as text
      return (
        <pre key={key}>
          <code>{token.raw}</code>
        </pre>
      );
  }
}

export function Markdown({ source }: { source: string }) {
  return <div class="article">{block(Lexer.lex(withoutFrontMatter(source), { gfm: true }))}</div>;
}
