import type { FieldExpr, Static } from './ast.js';

/**
 * Prints a field expression back as TraceQL, the way Tempo names `by()` groups
 * and metrics labels (`resource.service.name`, `span:name`).
 */
export function formatField(expr: FieldExpr): string {
  switch (expr.kind) {
    case 'static':
      return formatStatic(expr.value);
    case 'attribute': {
      const name = /^[^\s{}()=~!<>&|^,"]+$/.test(expr.name) ? expr.name : JSON.stringify(expr.name);
      return expr.scope === 'none' ? `.${name}` : `${expr.scope}.${name}`;
    }
    case 'intrinsic':
      return expr.name;
    case 'misplacedAggregate':
      return `${expr.name}()`;
    case 'unary':
      return `${expr.op}${formatField(expr.operand)}`;
    case 'binary':
      return `${formatField(expr.left)} ${expr.op} ${formatField(expr.right)}`;
  }
}

export function formatStatic(value: Static): string {
  switch (value.type) {
    case 'string':
      return JSON.stringify(value.value);
    case 'nil':
      return 'nil';
    case 'duration':
      return `${value.value}ns`;
    default:
      return String(value.value);
  }
}
