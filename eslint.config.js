// Lint for the TypeScript sources and tests (typescript-eslint's type-checked rules) and the plain JavaScript scripts.
// Formatting is Prettier's (npm run lint runs both); no rule here is about layout.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // Generated, copied or byte-exact files, and the emulator (Python).
  { ignores: ["dist/", "out/", "emulator/", "schema/", "templates/", "test/render/golden/", "test/params/corpus/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.js", "*.ts"] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // A leading underscore marks a parameter an interface requires but the implementation does not read, and a
      // destructured member left out of the rest on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      // Off: `async` without `await` still turns a throw into a rejection, which Promise-returning interfaces (the SDK's
      // retry strategy, the fakes) expect; no-floating-promises and no-misused-promises catch the mistakes that matter.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      // Off in tests: they read JSON.parse output and parsed templates, typed `any`, and assert their shape with expect,
      // which checks at run time what a cast would only claim. Product code (src/) keeps these rules.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      // Off in tests: template walkers stringify CloudFormation values (unions of scalars, lists and intrinsic objects) to
      // compare or name them, and an intrinsic printed as [object Object] fails the comparison it feeds.
      "@typescript-eslint/no-base-to-string": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
