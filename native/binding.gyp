{
  "targets": [
    {
      "target_name": "kc",
      # Every C file in src/ (the plain-C core, no Node headers) and every C++
      # file in binding/ (thin node-addon-api glue) is compiled in, so adding a
      # concern means adding a file, not editing a shared list.
      "sources": [
        "<!@(node -e \"const fs=require('fs');console.log(fs.readdirSync('src').filter(f=>f.endsWith('.c')).sort().map(f=>'src/'+f).join(' '))\")",
        "<!@(node -e \"const fs=require('fs');console.log(fs.readdirSync('binding').filter(f=>f.endsWith('.cc')).sort().map(f=>'binding/'+f).join(' '))\")"
      ],
      "include_dirs": [
        "include",
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags": ["-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=gnu++17", "-fexceptions"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++14"]
    }
  ]
}
