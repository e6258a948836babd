import { PyFloat } from './value';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePythonParams, PythonParamsSyntaxError } from './params-module';

/** Joins source lines, so fixtures keep their Python indentation visible. */
function py(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function assertSyntaxError(source: string, reason: RegExp, line: number): void {
  assert.throws(
    () => parsePythonParams(source),
    (error: unknown) => {
      assert.ok(error instanceof PythonParamsSyntaxError, `not a PythonParamsSyntaxError: ${String(error)}`);
      assert.match(error.reason, reason);
      assert.equal(error.line, line, error.message);
      assert.match(error.message, new RegExp(`line ${line}\\b`));
      return true;
    },
  );
}

test('reads a realistic params.py the way DVC does', () => {
  const source = py(
    '"""Training parameters, read by `dvc params` and imported by train.py."""',
    'import os',
    'from dataclasses import dataclass, field',
    '',
    '# Data',
    'SEED = 20_170_428',
    'DATA_DIR = os.path.join("data", "prepared")  # a call: not a param',
    'LEARNING_RATE = 1e-3',
    'BATCH_SIZES = [16, 32,',
    '               64]  # brackets span lines',
    'LAYERS = (128, 64, 10)',
    'ACTIVATION: str = "relu"',
    'USE_GPU = os.environ.get("GPU") is not None',
    'THRESHOLDS = {',
    '    "low": 0.25,   # comments inside brackets',
    '    "high": 0.75,',
    '}',
    'TAGS = {"baseline", "cnn"}',
    '',
    '',
    'class TrainConfig:',
    '    """Hyper-parameters of the training stage."""',
    '',
    '    EPOCHS = 70',
    "    OPTIMIZER = 'adam'",
    '    MOMENTUM = None',
    '',
    '    def __init__(self, epochs=None):',
    '        self.layers = 5',
    '        self.layers = 9  # the later assignment wins',
    '        self.dropout = 0.2',
    '        bar = 3  # a local variable, not a param',
    '        self.name = f"model-{self.layers}"  # f-string: not a literal',
    '        if epochs:',
    '            self.epochs_override = epochs',
    '',
    '    def summary(self):',
    '        self.not_a_param = 1',
    '        return f"{self.EPOCHS} epochs"',
    '',
    '    class Augmentation:',
    '        FLIP = True',
    '        ROTATE_DEGREES = 15.0',
    '',
    '',
    '@dataclass',
    'class EvalConfig:',
    '    metrics: list = field(default_factory=list)',
    '    top_k: int = 5',
    '    split: float = 0.2',
    '',
    '',
    'if __name__ == "__main__":',
    '    SEED = 0  # inside an if block: DVC ignores it',
  );

  const params = parsePythonParams(source);

  assert.deepEqual(params, {
    SEED: 20170428,
    LEARNING_RATE: 0.001,
    BATCH_SIZES: [16, 32, 64],
    LAYERS: [128, 64, 10],
    ACTIVATION: 'relu',
    THRESHOLDS: { low: 0.25, high: 0.75 },
    TAGS: ['baseline', 'cnn'],
    TrainConfig: {
      EPOCHS: 70,
      OPTIMIZER: 'adam',
      MOMENTUM: null,
      layers: 9,
      dropout: 0.2,
      Augmentation: { FLIP: true, ROTATE_DEGREES: new PyFloat(15) },
    },
    EvalConfig: { top_k: 5, split: 0.2 },
  });
  assert.deepEqual(Object.keys(params), [
    'SEED', 'LEARNING_RATE', 'BATCH_SIZES', 'LAYERS', 'ACTIVATION', 'THRESHOLDS', 'TAGS', 'TrainConfig', 'EvalConfig',
  ]);
});

test('an empty file or one without assignments gives an empty map', () => {
  assert.deepEqual(parsePythonParams(''), {});
  assert.deepEqual(parsePythonParams(py('# nothing here', '', 'import os', 'print("x = 1")')), {});
});

// --- scalars

test('reads the scalar types of DVC’s own unit tests', () => {
  assert.deepEqual(
    parsePythonParams(
      py('BOOL = True', 'INT = 5', 'FLOAT = 0.001', "STR = 'abc'", 'NONE = None', 'UNARY_OP = -1', 'NO = False'),
    ),
    { BOOL: true, INT: 5, FLOAT: 0.001, STR: 'abc', NONE: null, UNARY_OP: -1, NO: false },
  );
});

test('reads every Python integer form', () => {
  assert.deepEqual(
    parsePythonParams(
      py('a = 1_000_000', 'b = 0x1F', 'c = 0XdeadBEEF', 'd = 0o17', 'e = 0O7', 'f = 0b101', 'g = 0B1_0'),
    ),
    { a: 1000000, b: 31, c: 3735928559, d: 15, e: 7, f: 5, g: 2 },
  );
  assert.deepEqual(parsePythonParams(py('h = 0', 'i = 00', 'j = 0_0')), { h: 0, i: 0, j: 0 });
});

test('reads floats; integral ones stay floats (PyFloat), so 1.0 prints as 1.0 as in Python', () => {
  assert.deepEqual(
    parsePythonParams(
      py('a = 3.14', 'b = 1.', 'c = .5', 'd = 1e3', 'e = 1E-3', 'f = 1_0.0_1e+1_0', 'g = 1.0', 'h = 1e400', 'i = 010.5'),
    ),
    { a: 3.14, b: new PyFloat(1), c: 0.5, d: new PyFloat(1000), e: 0.001, f: new PyFloat(100100000000), g: new PyFloat(1), h: Infinity, i: 10.5 },
  );
});

test('applies one unary sign to a number, as ast.literal_eval does', () => {
  assert.deepEqual(parsePythonParams(py('a = -1', 'b = +2.5', 'c = -(3)', 'd = (-4)', 'e = - 5', 'f = -0.0')), {
    a: -1, b: 2.5, c: -3, d: -4, e: -5, f: new PyFloat(-0),
  });
  assert.deepEqual(parsePythonParams(py('a = --1', 'b = -True', 'c = -"x"', 'd = -(1,)', 'e = ~1', 'f = -1 ** 2')), {});
});

test('keeps no arithmetic: literal_eval only allows a real plus an imaginary number', () => {
  const source = py('a = 1 + 2', 'b = 2 * 3', 'c = 10 // 3', 'd = 1 << 4', 'e = "a" + "b"', 'f = [1] * 2');
  assert.deepEqual(parsePythonParams(source), {});
  assert.deepEqual(parsePythonParams(py('a = 1', 'a = 1 + 2  # skipped by DVC: a keeps its value')), { a: 1 });
});

// --- strings

test('reads every quote style and the u/r prefixes', () => {
  const source = py(
    `a = 'single'`,
    `b = "double"`,
    `c = '''triple`,
    `single'''`,
    `d = """triple "double" quotes"""`,
    `e = u"unicode"`,
    `f = r"C:\\new\\dir"`,
    `g = R'\\d+'`,
    `h = "it's"`,
    `i = ''`,
  );
  assert.deepEqual(parsePythonParams(source), {
    a: 'single',
    b: 'double',
    c: 'triple\nsingle',
    d: 'triple "double" quotes',
    e: 'unicode',
    f: 'C:\\new\\dir',
    g: '\\d+',
    h: "it's",
    i: '',
  });
});

test('decodes escapes; unknown escapes keep their backslash', () => {
  const source = py(
    String.raw`a = "tab\there\nnext"`,
    String.raw`b = "\x41\101\u00e9\U0001F600"`,
    String.raw`c = 'quote \' and \" and \\'`,
    String.raw`d = "keep \d and \q"`,
    String.raw`e = "\a\b\f\v\0"`,
    'f = "joined \\',
    'line"',
  );
  assert.deepEqual(parsePythonParams(source), {
    a: 'tab\there\nnext', b: 'AAé😀', c: `quote ' and " and \\`, d: 'keep \\d and \\q', e: '\x07\b\f\v\0', f: 'joined line',
  });
});

test('joins adjacent string literals, also across lines inside brackets', () => {
  const source = py(
    'a = "con" \'cat\'',
    'b = ("multi "',
    '     "line"  # comment between parts',
    '     r" \\raw")',
    'c = "back" \\',
    '    "slash"',
  );
  assert.deepEqual(parsePythonParams(source), { a: 'concat', b: 'multi line \\raw', c: 'backslash' });
});

test('skips f-strings, also Python 3.12 ones with nested quotes, and concatenations that include one', () => {
  const source = py(
    'a = f"{x}"',
    "b = F'plain'",
    'c = "a" f"{b}"',
    'd = rf"{x!r:>{width}}"',
    'e = f"{x["key"]}"',
    'f = f"""{',
    '    x',
    '}"""',
    'g = f"{{literal braces}}"',
    `h = f"{'}'}"`,
    `i = f"{ {'k': '}'}['k'] }"`,
    'j = f"\\N{DIGIT ONE} {x}"',
    'after = 1',
  );
  assert.deepEqual(parsePythonParams(source), { after: 1 });
});

// --- values JavaScript cannot hold

test('leaves out complex numbers, bytes, Ellipsis and \\N{name} escapes', () => {
  const source = py(
    'a = 2j',
    'b = 1 + 2j',
    'c = b"raw"',
    'd = ...',
    'e = [1, 2j]',
    'f = "\\N{DIGIT ONE}"',
    'g = {b"k": 1}',
    'kept = 1',
  );
  assert.deepEqual(parsePythonParams(source), { kept: 1 });
});

test('drops an earlier value that DVC would have replaced with an unrepresentable one', () => {
  const params = parsePythonParams(py('a = 1', 'b = 2', 'a = 1j', 'c = 3', 'a = 4'));
  assert.deepEqual(params, { a: 4, b: 2, c: 3 });
  assert.deepEqual(Object.keys(params), ['a', 'b', 'c'], 'a keeps its first position, as in a Python dict');
  assert.deepEqual(parsePythonParams(py('class A:', '    x = 1', 'A = b""')), {});
});

// --- containers

test('reads lists, tuples and dicts; tuples become arrays', () => {
  const source = py(
    'LIST = [1, "two", 3.5, None, True]',
    'TUPLE = (10, 100)',
    'BARE_TUPLE = 1, 2',
    'ONE = (1,)',
    'ALSO_ONE = 1,',
    'EMPTY_TUPLE = ()',
    'EMPTY_LIST = []',
    'EMPTY_DICT = {}',
    'NESTED = {"a": [1, (2, 3)], "b": {"c": {"d": []}}}',
    'TRAILING = [1, 2,]',
    'PARENS = ((1))',
  );
  assert.deepEqual(parsePythonParams(source), {
    LIST: [1, 'two', 3.5, null, true],
    TUPLE: [10, 100],
    BARE_TUPLE: [1, 2],
    ONE: [1],
    ALSO_ONE: [1],
    EMPTY_TUPLE: [],
    EMPTY_LIST: [],
    EMPTY_DICT: {},
    NESTED: { a: [1, [2, 3]], b: { c: { d: [] } } },
    TRAILING: [1, 2],
    PARENS: 1,
  });
});

test('reads sets as arrays without duplicates, using Python equality (1 == 1.0 == True)', () => {
  const source = py('A = {3, 1, 3}', 'B = {1, True, 1.0, 2}', 'C = set()', 'D = {(1, 2), (1, 2)}', 'E = [set()]');
  assert.deepEqual(parsePythonParams(source), {
    A: [3, 1], B: [1, 2], C: [], D: [[1, 2]], E: [[]],
  });
});

test("turns dict keys into Python's str(key) and lets equal keys collapse", () => {
  const params = parsePythonParams(
    py(
      'A = {1: "int", 1.5: "float", True: "bool", None: "none", (1, \'a\'): "tuple", 1e16: "big"}',
      'B = {1: "a", 1.0: "b"}',
      'C = {"k": 1, "k": 2}',
      'D = {True: "yes", False: "no"}',
      'E = {False: 1, 0: 2}',
      'F = {1000000000000000000000: "int", 1e21: "float"}',
      'G = {9007199254740993: "int", 9007199254740992.0: "float"}',
      `H = {("it's", 'x\\n'): 1}`,
    ),
  );
  assert.deepEqual(params, {
    A: { 1: 'bool', 1.5: 'float', None: 'none', "(1, 'a')": 'tuple', '1e+16': 'big' },
    B: { 1: 'b' },
    C: { k: 2 },
    D: { True: 'yes', False: 'no' },
    E: { False: 2 },
    F: { '1000000000000000000000': 'float' },
    G: { '9007199254740993': 'int', '9007199254740992.0': 'float' },
    H: { '("it\'s", \'x\\n\')': 1 },
  });
});

test('skips a container as soon as one element is not a literal', () => {
  const source = py(
    'a = [1, foo]',
    'b = {"k": bar()}',
    'c = (1, x.y)',
    'd = {1, *rest}',
    'e = {**base, "k": 1}',
    'f = [i for i in range(3)]',
    'g = {k: 1 for k in "ab"}',
    'h = set([1, 2])',
    'i = dict(a=1)',
  );
  assert.deepEqual(parsePythonParams(source), {});
});

test('skips every other kind of expression', () => {
  const source = py(
    'a = name',
    'b = os.sep',
    'c = "abc"[0]',
    'd = "abc".upper()',
    'e = 1 if flag else 2',
    'f = lambda: 1',
    'g = lambda x=1: x',
    'h = not True',
    'i = (j := 1)',
    'k = 1 < 2',
    'l = await_it',
    'm = [1][0]',
  );
  assert.deepEqual(parsePythonParams(source), {});
});

// --- assignment targets

test('reads only single-name and self.name targets', () => {
  const source = py(
    'a = b = 1',
    'c, d = 1, 2',
    '[e] = [1]',
    'f += 1',
    'g: int',
    'obj.h = 1',
    'lst[0] = 1',
    'self.i.j = 1',
    '(k) = 2',
    'self.l = 3',
    '(self).m = 4',
    'n: int = 5',
    'self.o: float = 6.5',
  );
  assert.deepEqual(parsePythonParams(source), { k: 2, l: 3, m: 4, n: 5, o: 6.5 });
});

test('a later assignment replaces the value and keeps the first position', () => {
  const params = parsePythonParams(py('a = 1', 'b = 2', 'a = 3', 'a = foo()'));
  assert.deepEqual(params, { a: 3, b: 2 });
  assert.deepEqual(Object.keys(params), ['a', 'b']);
});

test('reads several statements on a line and normalises names like Python (NFKC)', () => {
  assert.deepEqual(parsePythonParams(py('a = 1; b = 2;', 'ﬁle = "x"', 'π = 3.14', '__proto__ = "plain key"')), {
    a: 1, b: 2, file: 'x', π: 3.14, ['__proto__']: 'plain key',
  });
  assert.equal(Object.getPrototypeOf(parsePythonParams('__proto__ = 1')), Object.prototype);
});

test('treats soft keywords as names where they are names', () => {
  assert.deepEqual(parsePythonParams(py('match = 1', 'case = 2', 'type = 3', '_ = 4', 'type Alias = int')), {
    match: 1, case: 2, type: 3, _: 4,
  });
});

// --- classes

test('reads class attributes into a map under the class name', () => {
  const source = py(
    'class Config(Base, metaclass=Meta):',
    '    """Docstring."""',
    '    size = 0x10',
    '    ratio: float = 0.5',
    '    helper = staticmethod(len)',
    '    self.odd = 1  # DVC accepts self.x at class level too',
  );
  assert.deepEqual(parsePythonParams(source), { Config: { size: 16, ratio: 0.5, odd: 1 } });
});

test('merges self attributes from __init__ into the class map', () => {
  const source = py(
    'class TrainConfig:',
    '    EPOCHS = 70',
    '    layers = 1',
    '',
    '    def __init__(self, *args, **kwargs) -> None:',
    '        self.layers = 5',
    '        self.layers = 9',
    '        self.lr: float = 0.1',
    '        bar = 3',
    '        other.attr = 4',
    '        if True:',
    '            self.in_block = 1',
    '        for _ in range(1):',
    '            self.in_loop = 1',
    '',
    '    def train(self):',
    '        self.not_init = 1',
  );
  const params = parsePythonParams(source);
  assert.deepEqual(params, { TrainConfig: { EPOCHS: 70, layers: 9, lr: 0.1 } });
  assert.deepEqual(Object.keys(params.TrainConfig as object), ['EPOCHS', 'layers', 'lr']);
});

test('nests classes, including classes defined inside __init__', () => {
  const source = py(
    'class Outer:',
    '    A = 1',
    '    class Inner:',
    '        B = 2',
    '        class Deepest:',
    '            C = 3',
    '    def __init__(self):',
    '        class Local:',
    '            D = 4',
    '        self.e = 5',
  );
  assert.deepEqual(parsePythonParams(source), {
    Outer: { A: 1, Inner: { B: 2, Deepest: { C: 3 } }, Local: { D: 4 }, e: 5 },
  });
});

test('reads decorated classes and __init__ methods, one-line bodies and generic classes', () => {
  const source = py(
    '@dataclass(frozen=True)',
    'class Frozen:',
    '    x: int = 1',
    '',
    'class OneLine: a = 1; b = 2',
    'class Empty: pass',
    '',
    'class Generic[T]:',
    '    @some_decorator',
    '    def __init__(self): self.c = 3',
  );
  assert.deepEqual(parsePythonParams(source), { Frozen: { x: 1 }, OneLine: { a: 1, b: 2 }, Empty: {}, Generic: { c: 3 } });
});

test('ignores other methods, async __init__ and classes inside other blocks or functions', () => {
  const source = py(
    '@dataclass',
    'class A:',
    '    async def __init__(self):',
    '        self.x = 1',
    '    def __post_init__(self):',
    '        self.y = 1',
    '    def __repr__(self):',
    '        self.z = 1',
    'if TYPE_CHECKING:',
    '    class B:',
    '        y = 1',
    'def factory():',
    '    class C:',
    '        z = 1',
    '    return C',
  );
  assert.deepEqual(parsePythonParams(source), { A: {} });
});

test('like DVC, reads self attributes from a module-level __init__ and self.x at module level', () => {
  const source = py(
    'self.top = 1',
    'def __init__(self):',
    '    self.from_init = 2',
    '    local = 3',
    'def other():',
    '    self.no = 4',
  );
  assert.deepEqual(parsePythonParams(source), { top: 1, from_init: 2 });
});

test('a later class or assignment of the same name replaces the earlier one', () => {
  assert.deepEqual(parsePythonParams(py('class A:', '    x = 1', 'class A:', '    y = 2')), { A: { y: 2 } });
  assert.deepEqual(parsePythonParams(py('class A:', '    x = 1', 'A = 5')), { A: 5 });
});

// --- statements DVC ignores

test('skips every other statement kind, including their bodies', () => {
  const source = py(
    'import os, sys',
    'from pathlib import (',
    '    Path,',
    ')',
    'global g',
    'assert SEED == 1, "a = b"',
    'del x',
    'pass',
    '...',
    '"""module docstring with = sign"""',
    'print("x = 1", end="")',
    'if a:',
    '    in_if = 1',
    'elif b:',
    '    in_elif = 1',
    'else:',
    '    in_else = 1',
    'for i in range(3):',
    '    in_for = 1',
    'while False:',
    '    in_while = 1',
    'with open("f") as handle, open("g") as other:',
    '    in_with = 1',
    'try:',
    '    in_try = 1',
    'except (ValueError, KeyError) as error:',
    '    in_except = 1',
    'finally:',
    '    in_finally = 1',
    'match command:',
    '    case {"a": 1} | [_, _]:',
    '        in_case = 1',
    '    case _:',
    '        pass',
    'async def job():',
    '    await thing',
    '@decorator(a=1)',
    'def fn(a: int = 1, *args, b=lambda: 2, **kw) -> dict[str, int]:',
    '    in_function = 1',
    'if x: one_line_if = 1',
    'if lambda: 1:',
    '    lambda_header = 1  # the first colon belongs to the lambda',
    'kept = True',
  );
  assert.deepEqual(parsePythonParams(source), { kept: true });
});

// --- layout

test('handles comments, blank lines, tabs, form feeds and odd comment indentation', () => {
  const source = py(
    '# leading comment',
    '',
    'class A:',
    '\t# tab-indented body',
    '\tx = 1',
    '        # a comment at another indentation does not matter',
    '   ',
    '\ty = 2',
    '\f',
    'z = 3  # trailing comment',
  );
  assert.deepEqual(parsePythonParams(source), { A: { x: 1, y: 2 }, z: 3 });
});

test('a form feed in the indentation resets the column, as in CPython', () => {
  assert.deepEqual(parsePythonParams(py('class A:', '    x = 1', '    \fy = 2')), { A: { x: 1 }, y: 2 });
});

test('accepts \\r\\n and \\r line endings, as DVC reads the file in text mode', () => {
  assert.deepEqual(parsePythonParams('a = 1\r\nclass B:\r\n    c = """x\r\ny"""\r\n'), { a: 1, B: { c: 'x\ny' } });
  assert.deepEqual(parsePythonParams('a = 1\rb = 2\r'), { a: 1, b: 2 });
});

test('joins lines with backslashes and inside brackets', () => {
  const source = py(
    'a = \\',
    '    1',
    'b = {',
    '  "x": [1,',
    '2],',
    '        }',
    'c = [',
    '    # only a comment',
    ']',
  );
  assert.deepEqual(parsePythonParams(source), { a: 1, b: { x: [1, 2] }, c: [] });
});

test('accepts a keyword glued to a number, like Python', () => {
  assert.deepEqual(parsePythonParams(py('a = [1if x else 2]', 'b = 0x1for x  # 0x1f or x', 'c = 1')), { c: 1 });
});

// --- errors

test('reports unclosed and mismatched brackets', () => {
  assertSyntaxError(py('a = 1', 'b = [1,', '     2'), /'\[' was never closed/, 2);
  assertSyntaxError(py('a = 1)'), /unmatched '\)'/, 1);
  assertSyntaxError(py('a = (1]'), /closing parenthesis '\]' does not match opening parenthesis '\('/, 1);
});

test('reports unterminated strings', () => {
  assertSyntaxError(py('a = 1', 'b = "abc'), /unterminated string literal/, 2);
  assertSyntaxError(py('a = """abc', 'def'), /unterminated triple-quoted string literal/, 1);
  assertSyntaxError(py('a = f"{x"'), /unterminated string literal/, 1);
  assertSyntaxError(py('a = "escaped backslash \\\\', '"'), /unterminated string literal/, 1);
});

test('reports indentation errors', () => {
  assertSyntaxError(py('a = 1', '    b = 2'), /unexpected indent/, 2);
  assertSyntaxError(py('class A:', '    x = 1', '  y = 2'), /unindent does not match any outer indentation level/, 3);
  assertSyntaxError(py('class A:', 'x = 1'), /expected an indented block after class definition on line 1/, 2);
  assertSyntaxError(py('if x:', 'y = 1'), /expected an indented block after 'if' statement on line 1/, 2);
  assertSyntaxError(py('if x:', '\tx = 1', '        y = 2'), /inconsistent use of tabs and spaces/, 3);
});

test('reports invalid numbers', () => {
  assertSyntaxError(py('a = 01'), /leading zeros in decimal integer literals/, 1);
  assertSyntaxError(py('a = 1_'), /invalid decimal literal/, 1);
  assertSyntaxError(py('a = 0b102'), /invalid digit '2' in binary literal/, 1);
  assertSyntaxError(py('a = 0x'), /invalid hexadecimal literal/, 1);
  assertSyntaxError(py('a = 1abc'), /invalid decimal literal/, 1);
  assertSyntaxError(py('a = 1ifx'), /invalid decimal literal/, 1);
});

test('reports invalid string contents', () => {
  assertSyntaxError(py('a = "\\x4"'), /truncated \\x escape/, 1);
  assertSyntaxError(py('a = "\\U00110000"'), /illegal Unicode character/, 1);
  assertSyntaxError(py('a = "\\N{"'), /malformed \\N character escape/, 1);
  assertSyntaxError(py('a = b"é"'), /bytes can only contain ASCII literal characters/, 1);
  assertSyntaxError(py('a = ("x"', '     b"y")'), /cannot mix bytes and nonbytes literals/, 2);
  assertSyntaxError(py('a = f"}"'), /single '}' is not allowed/, 1);
  assertSyntaxError(py('a = f"\\x4{b}"'), /truncated \\x escape/, 1);
});

test('reports characters Python does not accept', () => {
  assertSyntaxError(py('a = 1', 'b = $'), /invalid syntax/, 2);
  assertSyntaxError(py('a = 1 € 2'), /invalid character '€' \(U\+20AC\)/, 1);
  assertSyntaxError('\ufeffa = 1\n', /invalid non-printable character U\+FEFF/, 1); // DVC reads with utf-8, not utf-8-sig
  assertSyntaxError(py('a = 1', 'b = 2\0'), /null bytes/, 2);
  assertSyntaxError(py('a = 1 \\ 2'), /unexpected character after line continuation character/, 1);
  assertSyntaxError('a = 1 + \\', /unexpected EOF while parsing/, 1);
});

test('reports misplaced statements', () => {
  assertSyntaxError(py('a = 1; if a: pass'), /invalid syntax/, 1);
  assertSyntaxError(py('a ='), /invalid syntax/, 1);
  assertSyntaxError(py('= 1'), /invalid syntax/, 1);
  assertSyntaxError(py('None = 1'), /cannot assign to None/, 1);
  assertSyntaxError(py('class = 1'), /invalid syntax/, 1);
  assertSyntaxError(py('if x', '    y = 1'), /expected ':'/, 1);
  assertSyntaxError(py('def f:', '    pass'), /expected '\('/, 1);
  assertSyntaxError(py('@decorator', 'x = 1'), /invalid syntax/, 2);
});

test('reports errors inside blocks that DVC does not read', () => {
  assertSyntaxError(py('def helper():', '    return (1,', '', 'x = 1'), /'\(' was never closed/, 2);
  assertSyntaxError(py('if False:', '    s = "unterminated'), /unterminated string literal/, 2);
});

test('fails on an unhashable dict key or set element, as DVC does with a TypeError', () => {
  assertSyntaxError(py('a = 1', 'b = {[1]: 2}'), /unhashable type: 'list'/, 2);
  assertSyntaxError(py('s = {1, {2: 3}}'), /unhashable type: 'dict'/, 1);
  assertSyntaxError(py('t = [{(1, [2]): 3}]'), /unhashable type: 'list'/, 1);
});

test('does not fail on an unhashable key in a statement DVC skips first', () => {
  const source = py(
    'a = {"first": foo, [1]: 2}  # DVC evaluates the non-literal value first and skips',
    'b = c = {[1]: 2}',
    'd.e = {[1]: 2}',
    'class A:',
    '    def __init__(self):',
    '        local = {[1]: 2}',
    'if x:',
    '    f = {[1]: 2}',
    '    class B:',
    '        g = {[1]: 2}',
  );
  assert.deepEqual(parsePythonParams(source), { A: {} });
});

test("follows DVC's evaluation order, which decides between skipping and failing", () => {
  // At the top of a value DVC evaluates a dict's value before its key, and all set elements before hashing any;
  // nested containers go through ast.literal_eval, which evaluates a key first and hashes each element at once.
  assertSyntaxError(py('a = {foo: {[1]: 2}}'), /unhashable type: 'list'/, 1);
  assert.deepEqual(parsePythonParams(py('a = [{foo: {[1]: 2}}]')), {});
  assert.deepEqual(parsePythonParams(py('a = {[1], foo}')), {});
  assertSyntaxError(py('a = [{[1], foo}]'), /unhashable type: 'list'/, 1);
});

test('PythonParamsSyntaxError is an Error with the position in its message', () => {
  try {
    parsePythonParams(py('a = 1', 'b = (', ''));
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.ok(error instanceof PythonParamsSyntaxError);
    assert.equal(error.name, 'PythonParamsSyntaxError');
    assert.equal(error.message, "'(' was never closed (line 2, column 5)");
    assert.deepEqual([error.line, error.column], [2, 5]);
  }
});
