<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="67"/>
        <source>About AutoGLM Desktop</source>
        <translation>关于 AutoGLM 桌面版</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="84"/>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="85"/>
        <source>Licences</source>
        <translation>许可证</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="86"/>
        <source>Third-party software</source>
        <translation>第三方软件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="95"/>
        <source>packaged app</source>
        <translation>打包应用</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="95"/>
        <source>running from source</source>
        <translation>从源码运行</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="98"/>
        <source>none loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="100"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="101"/>
        <source>llama-cpp-python</source>
        <translation>llama-cpp-python</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="102"/>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="103"/>
        <source>GPU offload</source>
        <translation>GPU 卸载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="104"/>
        <source>llama.cpp features</source>
        <translation>llama.cpp 功能</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="105"/>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="125"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="106"/>
        <source>Python / Qt</source>
        <translation>Python / Qt</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="107"/>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="125"/>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="111"/>
        <source>A private assistant that runs on this computer.</source>
        <translation>在这台电脑上运行的私人助手。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="117"/>
        <source>AutoGLM Desktop is free software under the GNU General Public License, version 3 or later ({0}), because it uses piper-tts and espeak-ng, which are GPL-3.0-or-later. Models are not part of the app: each keeps its own licence.</source>
        <translation>AutoGLM 桌面版是自由软件，采用 GNU 通用公共许可证第 3 版或更高版本（{0}），因为它使用了采用 GPL-3.0-or-later 许可的 piper-tts 和 espeak-ng。模型不属于本应用：每个模型保留其自身的许可证。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="125"/>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/about_dialog.py" line="136"/>
        <source>The list of third-party licences is missing from this installation ({0}).</source>
        <translation>此安装中缺少第三方许可证列表（{0}）。</translation>
    </message>
    <message>
        <source>Updates</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>updated from {0} on {1}</source>
        <translation>于 {1} 从 {0} 更新</translation>
    </message>
    <message>
        <source>this version was installed as downloaded</source>
        <translation>此版本为下载安装的原始版本</translation>
    </message>
</context>
<context>
    <name>ApiServerController</name>
    <message>
        <location filename="../../app/autoglm/ui/api_server_controller.py" line="127"/>
        <source>API client {0} used {1} ({2} {3})</source>
        <translation>API 客户端 {0} 使用了 {1}（{2} {3}）</translation>
    </message>
</context>
<context>
    <name>ApiStatusLabel</name>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="38"/>
        <source>The API server could not start: port {0} is already in use by another program. Choose another port in Settings → Server (0 picks a free one).</source>
        <translation>API 服务器无法启动：端口 {0} 已被其他程序占用。请在“设置 → 服务器”中选择其他端口（0 表示自动选择空闲端口）。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="41"/>
        <source>The API server was not started: serving on {0} without an API key would let other computers use the model. Set an API key in Settings → Server, or use 127.0.0.1.</source>
        <translation>API 服务器未启动：在 {0} 上无 API 密钥地提供服务会让其他计算机使用该模型。请在“设置 → 服务器”中设置 API 密钥，或使用 127.0.0.1。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="44"/>
        <source>The API server could not start: {0}</source>
        <translation>API 服务器无法启动：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="50"/>
        <source>API: {0}</source>
        <translation>API：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="51"/>
        <source>The OpenAI-compatible API is serving this model at {0}. Click to copy the address.</source>
        <translation>OpenAI 兼容 API 正在 {0} 提供此模型。点击复制地址。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="54"/>
        <source>API starting…</source>
        <translation>API 正在启动…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="56"/>
        <source>API stopping…</source>
        <translation>API 正在停止…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="58"/>
        <source>API: port {0} in use</source>
        <translation>API：端口 {0} 已被占用</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="59"/>
        <source>API: not started</source>
        <translation>API：未启动</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="62"/>
        <source>API off</source>
        <translation>API 已关闭</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="63"/>
        <source>The OpenAI-compatible API is off. Start it from Tools or Settings → Server.</source>
        <translation>OpenAI 兼容 API 已关闭。可在“工具”菜单或“设置 → 服务器”中启动。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="66"/>
        <source>API server</source>
        <translation>API 服务器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="69"/>
        <source>Stop the &amp;API server</source>
        <translation>停止 API 服务器(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="70"/>
        <source>Start the &amp;API server</source>
        <translation>启动 API 服务器(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/api_status.py" line="85"/>
        <source>Copied {0}</source>
        <translation>已复制 {0}</translation>
    </message>
</context>
<context>
    <name>AttachmentChipWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="135"/>
        <source>Attached image {0}</source>
        <translation>附加的图片 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="145"/>
        <source>Remove attachment</source>
        <translation>移除附件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="146"/>
        <source>Remove attachment {0}</source>
        <translation>移除附件 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="157"/>
        <source>≈{0} tokens</source>
        <translation>≈{0} 个词元</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="158"/>
        <source>{0}×{1} pixels; images are scaled to at most {2} tokens (Settings → Vision)</source>
        <translation>{0}×{1} 像素；图片最多缩放到 {2} 个词元（设置 → 视觉）</translation>
    </message>
</context>
<context>
    <name>CaptureController</name>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="139"/>
        <source>Screenshot and &amp;ask…</source>
        <translation>截图并提问(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="140"/>
        <source>Screens&amp;hot of the screen</source>
        <translation>整个屏幕截图(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="141"/>
        <source>Screenshot of a &amp;region…</source>
        <translation>区域截图(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="142"/>
        <source>&amp;Camera…</source>
        <translation>摄像头(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="143"/>
        <source>&amp;Show AutoGLM</source>
        <translation>显示 AutoGLM(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="144"/>
        <source>Get a &amp;vision model to use images…</source>
        <translation>获取视觉模型以使用图片(&amp;V)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="146"/>
        <source>AutoGLM Desktop</source>
        <translation>AutoGLM 桌面版</translation>
    </message>
    <message>
        <source>The loaded model cannot read images.</source>
        <translation type="vanished">当前加载的模型无法读取图片。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="169"/>
        <source>The loaded model reads text only: images need a vision model.</source>
        <translation>已加载的模型只能读文字：图片需要视觉模型。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="173"/>
        <source>Attach images</source>
        <translation>附加图片</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="174"/>
        <source>Screenshot of the screen</source>
        <translation>整个屏幕截图</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="175"/>
        <source>Screenshot of a region</source>
        <translation>区域截图</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="176"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="189"/>
        <source>Get a vision model…</source>
        <translation>获取视觉模型…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="255"/>
        <source>Screenshot</source>
        <translation>截图</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="264"/>
        <source>Screenshot region</source>
        <translation>截图区域</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="302"/>
        <source>Camera snapshot</source>
        <translation>摄像头快照</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="315"/>
        <source>A reply is still being written: wait for it, or stop it, then ask about the camera picture again.</source>
        <translation>回复仍在生成中：请等待或停止它，然后再询问摄像头画面。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/controller.py" line="321"/>
        <source>Camera picture</source>
        <translation>摄像头画面</translation>
    </message>
</context>
<context>
    <name>ChatViewWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/chat_view.py" line="132"/>
        <location filename="../../app/autoglm/ui/chat_view.py" line="133"/>
        <source>Jump to the latest message</source>
        <translation>跳到最新消息</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/chat_view.py" line="435"/>
        <source>Message actions</source>
        <translation>消息操作</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/chat_view.py" line="438"/>
        <source>Copy selection</source>
        <translation>复制所选内容</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/chat_view.py" line="450"/>
        <source>Copy the code block</source>
        <translation>复制代码块</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/chat_view.py" line="451"/>
        <source>Copy code block {0}</source>
        <translation>复制代码块 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/chat_view.py" line="458"/>
        <source>Delete this message</source>
        <translation>删除这条消息</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/chat_view.py" line="463"/>
        <source>Show or hide reasoning</source>
        <translation>显示或隐藏思考过程</translation>
    </message>
</context>
<context>
    <name>CitationViewerDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="136"/>
        <source>&amp;Open file</source>
        <translation>打开文件(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="135"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="158"/>
        <source>No application here opens this kind of file.</source>
        <translation>本机没有能打开此类文件的应用。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="138"/>
        <source>Open the document in the system&apos;s viewer</source>
        <translation>用系统的查看器打开文档</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="179"/>
        <source>Page {0} of {1}</source>
        <translation>{1} 第 {0} 页</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="226"/>
        <source>The document could not be shown: {0}</source>
        <translation>无法显示该文档：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="155"/>
        <source>The file is no longer where it was indexed.</source>
        <translation>该文件已不在编入索引时的位置。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="164"/>
        <source>The file is no longer where it was indexed; the passage as it was cited is shown.</source>
        <translation>该文件已不在编入索引时的位置；下面显示引用时的段落。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/citation_viewer.py" line="124"/>
        <source>The passage cited</source>
        <translation>引用的段落</translation>
    </message>
</context>
<context>
    <name>ComposerWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="263"/>
        <source>Message AutoGLM…  (Enter to send, Shift+Enter for a new line)</source>
        <translation>给 AutoGLM 发消息…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="264"/>
        <source>Message input</source>
        <translation>消息输入框</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="265"/>
        <location filename="../../app/autoglm/ui/composer.py" line="266"/>
        <location filename="../../app/autoglm/ui/composer.py" line="358"/>
        <source>Attach images</source>
        <translation>附加图片</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="267"/>
        <location filename="../../app/autoglm/ui/composer.py" line="268"/>
        <source>Cancel editing</source>
        <translation>取消编辑</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="269"/>
        <source>Editing a message: sending continues in a copy of this conversation.</source>
        <translation>正在编辑消息：发送后将在此对话的副本中继续。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="270"/>
        <source>Context tokens used</source>
        <translation>已用上下文词元</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="287"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="289"/>
        <source>Stop generating (Esc)</source>
        <translation>停止生成（Esc）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="290"/>
        <source>Stop generating</source>
        <translation>停止生成</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="293"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="295"/>
        <source>Send (Enter)</source>
        <translation>发送（Enter）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="296"/>
        <source>Send message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="337"/>
        <source>{0} / {1} tokens</source>
        <translation>{0} / {1} 词元</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="359"/>
        <source>Images ({0});;All files (*)</source>
        <translation>图片 ({0});;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/composer.py" line="369"/>
        <source>pasted image</source>
        <translation>粘贴的图片</translation>
    </message>
</context>
<context>
    <name>ConversationController</name>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="41"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="233"/>
        <source>Could not open the conversation: {0}</source>
        <translation>无法打开对话：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="320"/>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>{0} (edited)</source>
        <translation type="vanished">{0}（已编辑）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="766"/>
        <source>Could not edit the message: {0}</source>
        <translation>无法编辑消息：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="873"/>
        <source>**Tool call** `{0}`{1}</source>
        <translation>**工具调用** `{0}`{1}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="877"/>
        <source>*Run it? It runs only if you approve.*</source>
        <translation>*要运行吗？只有你批准后才会运行。*</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="879"/>
        <source>*Running…*</source>
        <translation>*正在运行…*</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="881"/>
        <source>*Denied: it was not run.*</source>
        <translation>*已拒绝：未运行。*</translation>
    </message>
    <message>
        <source>Images cannot be sent yet: image support is not part of this build.</source>
        <translation type="vanished">暂时无法发送图片：此版本不包含图片支持。</translation>
    </message>
    <message>
        <source>An attached image is missing from the attachments folder.</source>
        <translation type="vanished">附件文件夹中缺少一张附加的图片。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="798"/>
        <source>Could not show that version: {0}</source>
        <translation>无法显示该版本：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/conversation_controller.py" line="827"/>
        <source>That chat or project no longer exists.</source>
        <translation>该聊天或项目已不存在。</translation>
    </message>
</context>
<context>
    <name>DiscoverDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="55"/>
        <source>Fits</source>
        <translation>可运行</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="56"/>
        <source>May be slow</source>
        <translation>可能较慢</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="57"/>
        <source>Won&apos;t fit</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="85"/>
        <location filename="../../app/autoglm/ui/discover.py" line="86"/>
        <source>Discover models</source>
        <translation>发现模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="91"/>
        <source>Search GGUF models, e.g. AutoGLM, Qwen2.5 7B</source>
        <translation>搜索 GGUF 模型，例如 AutoGLM、Qwen2.5 7B</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="92"/>
        <source>Search the model hub</source>
        <translation>搜索模型仓库</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="94"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="96"/>
        <source>Hub: {0}</source>
        <translation>模型仓库：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="97"/>
        <source>Model hub address</source>
        <translation>模型仓库地址</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="100"/>
        <source>Models found</source>
        <translation>找到的模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="103"/>
        <source>Quantisation</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="103"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="104"/>
        <source>On this computer</source>
        <translation>在本机</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="104"/>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="105"/>
        <source>Quantisations</source>
        <translation>量化版本</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="123"/>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="124"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="125"/>
        <source>Download the selected quantisation</source>
        <translation>下载所选的量化版本</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="127"/>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="130"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="164"/>
        <source>Searching {0}…</source>
        <translation>正在搜索 {0}…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="173"/>
        <source>{0}  ·  {1} downloads</source>
        <translation>{0}  ·  {1} 次下载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="177"/>
        <source>No GGUF models match “{0}”.</source>
        <translation>没有与“{0}”匹配的 GGUF 模型。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="189"/>
        <source>Reading the files of {0}…</source>
        <translation>正在读取 {0} 的文件…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="209"/>
        <source>Needs about {0} (weights, KV cache at {1} tokens, projector); {2} of memory is free</source>
        <translation>约需 {0}（权重、{1} 个词元的 KV 缓存、投影器）；可用内存 {2}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="214"/>
        <source>Judged at a {0}-token context against {1} of free memory</source>
        <translation>按 {0} 词元上下文和 {1} 可用内存估算</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="217"/>
        <source> and {0} of free GPU memory</source>
        <translation>及 {0} 可用显存</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="218"/>
        <source>; the vision projector ({0}) is downloaded with the model.</source>
        <translation>；视觉投影器（{0}）会随模型一起下载。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="245"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="261"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="269"/>
        <source>Downloaded {0} of {1}</source>
        <translation>已下载 {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="271"/>
        <source>{0}/s</source>
        <translation>{0}/秒</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="276"/>
        <source>Downloaded and verified as {0}.</source>
        <translation>已下载并校验，名称为 {0}。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="277"/>
        <source>Downloaded and verified: choose {0} in the model manager to chat with it.</source>
        <translation>已下载并校验：在模型管理器中选择 {0} 即可开始对话。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/discover.py" line="285"/>
        <source>Download paused; press Download to resume.</source>
        <translation>下载已暂停；按“下载”继续。</translation>
    </message>
    <message>
        <source>Model hub</source>
        <translation>模型仓库</translation>
    </message>
    <message>
        <source>Where to search and download: Hugging Face (or the mirror set in Settings) or ModelScope</source>
        <translation>在哪里搜索和下载：Hugging Face（或设置中的镜像）或 ModelScope（魔搭）</translation>
    </message>
    <message>
        <source>The hub choice could not be saved: {0}</source>
        <translation>无法保存模型仓库的选择：{0}</translation>
    </message>
    <message>
        <source>Resume {0}</source>
        <translation>继续下载 {0}</translation>
    </message>
    <message>
        <source>Resume the paused download of {0}</source>
        <translation>继续已暂停的 {0} 下载</translation>
    </message>
</context>
<context>
    <name>DocumentsPanelDialog</name>
    <message numerus="yes">
        <source>%n image(s) wait for a vision model</source>
        <translation>
            <numerusform>%n 张图片等待视觉模型</numerusform>
        </translation>
    </message>
    <message>
        <source>Needs a vision model</source>
        <translation>需要视觉模型</translation>
    </message>
    <message>
        <source>An image: it is described and indexed when a model that reads images is loaded</source>
        <translation>这是一张图片：加载能读图的模型后会为它生成描述并建立索引</translation>
    </message>
    <message>
        <source>Passages put into each question</source>
        <translation>每个问题附带的段落</translation>
    </message>
    <message>
        <source>&amp;Passages in each question:</source>
        <translation>每个问题的段落数(&amp;P)：</translation>
    </message>
    <message>
        <source>What the passages found for a question add to the prompt</source>
        <translation>为问题找到的段落在提示中所占的词元</translation>
    </message>
    <message>
        <source>Nothing indexed yet</source>
        <translation>尚未索引任何内容</translation>
    </message>
    <message numerus="yes">
        <source>%n passage(s) · about {0} tokens a question</source>
        <translation>
            <numerusform>%n 个段落 · 每个问题约 {0} 个词元</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n passage(s) · about {0} tokens a question (estimated; no model loaded to count them)</source>
        <translation>
            <numerusform>%n 个段落 · 每个问题约 {0} 个词元（估算：未加载模型来计数）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/autoglm/ui/documents_panel.py" line="309"/>
        <source>%n document(s) removed.</source>
        <translation>
            <numerusform>已移除 %n 个文档。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="189"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="155"/>
        <source>&amp;Re-index</source>
        <translation>重新索引(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="149"/>
        <source>Add &amp;files…</source>
        <translation>添加文件(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="264"/>
        <source>Add a folder</source>
        <translation>添加文件夹</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="152"/>
        <source>Add f&amp;older…</source>
        <translation>添加文件夹(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="264"/>
        <source>Add files</source>
        <translation>添加文件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="253"/>
        <source>Cancelled (partly indexed)</source>
        <translation>已取消（部分已索引）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="318"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="200"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="170"/>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="141"/>
        <source>Documents of “{0}”</source>
        <translation>“{0}”的文档</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="173"/>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="144"/>
        <source>Drop files or folders here, or add them. The assistant answers this project&apos;s chats from them and names its sources. Folders are watched while the app runs: files added, changed or deleted there are read again.</source>
        <translation>把文件或文件夹拖到这里，或点击添加。助手会根据它们回答此项目的聊天，并注明出处。应用运行时会监视文件夹：其中新增、修改或删除的文件会重新读取。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="251"/>
        <source>Failed: {0}</source>
        <translation>失败：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="248"/>
        <source>Indexed</source>
        <translation>已索引</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/autoglm/ui/documents_panel.py" line="248"/>
        <source>Indexed: %n passage(s) can be cited</source>
        <translation>
            <numerusform>已索引：可引用 %n 个段落</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="293"/>
        <source>Indexing is still running: add more when it has finished, or cancel it.</source>
        <translation>索引仍在进行：请等它完成后再添加，或取消它。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="188"/>
        <source>Indexing progress</source>
        <translation>索引进度</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="253"/>
        <source>Indexing was cancelled; Re-index finishes it</source>
        <translation>索引已取消；点击重新索引可完成</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="339"/>
        <source>Indexing {0} ({1} of {2})</source>
        <translation>正在索引 {0}（第 {1} 个，共 {2} 个）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="341"/>
        <source>Indexing: {0} of {1} files</source>
        <translation>正在索引：已完成 {0} 个，共 {1} 个文件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="254"/>
        <source>Indexing…</source>
        <translation>正在索引…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="170"/>
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="170"/>
        <source>Passages</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="159"/>
        <source>Re&amp;move</source>
        <translation>移除(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="157"/>
        <source>Read changed files again</source>
        <translation>重新读取有改动的文件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="327"/>
        <source>Reading the documents…</source>
        <translation>正在读取文档…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="170"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="218"/>
        <source>The documents could not be listed: {0}</source>
        <translation>无法列出文档：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="250"/>
        <source>it could not be read</source>
        <translation>无法读取</translation>
    </message>
    <message numerus="yes">
        <source>%n could not be read</source>
        <translation type="vanished">
            <numerusform>%n 个无法读取</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n indexed</source>
        <translation type="vanished">
            <numerusform>已索引 %n 个</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unchanged</source>
        <translation type="vanished">
            <numerusform>%n 个未改动</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="121"/>
        <source>Cancelled: {0} before it stopped</source>
        <translation>已取消：停止前{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/documents_panel.py" line="113"/>
        <source>Indexing failed: {0}</source>
        <translation>索引失败：{0}</translation>
    </message>
</context>
<context>
    <name>EmptyStateWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="94"/>
        <source>Explain what a Python generator is, with a short example.</source>
        <translation>用一个简短的例子解释什么是 Python 生成器。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="95"/>
        <source>Write a shell one-liner that finds the 10 largest files in a folder.</source>
        <translation>写一行 shell 命令，找出文件夹中最大的 10 个文件。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="96"/>
        <source>Summarise the trade-offs of SQLite&apos;s WAL mode.</source>
        <translation>总结 SQLite WAL 模式的利弊。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="154"/>
        <source>How can I help?</source>
        <translation>有什么可以帮您？</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="155"/>
        <source>Everything stays on this computer. Attach images, paste screenshots, or ask about code.</source>
        <translation>所有内容都只保存在这台电脑上。可以附加图片、粘贴截图，或询问代码问题。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="160"/>
        <source>Ask: {0}</source>
        <translation>提问：{0}</translation>
    </message>
</context>
<context>
    <name>ErrorFunnel</name>
    <message>
        <location filename="../../app/autoglm/ui/error_funnel.py" line="30"/>
        <source>Something went wrong: {0}</source>
        <translation>出现问题：{0}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="36"/>
        <source>Export chats</source>
        <translation>导出对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="44"/>
        <source>Markdown (.md)</source>
        <translation>Markdown（.md）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="45"/>
        <source>JSON (.json)</source>
        <translation>JSON（.json）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="46"/>
        <source>Export format</source>
        <translation>导出格式</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="47"/>
        <source>&amp;Format:</source>
        <translation>格式(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="50"/>
        <source>Export folder</source>
        <translation>导出文件夹</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="53"/>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="57"/>
        <source>F&amp;older:</source>
        <translation>文件夹(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="59"/>
        <source>Images are copied into an “attachments” folder beside the files.</source>
        <translation>图片会复制到文件旁的“attachments”文件夹中。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="65"/>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="66"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/export_dialog.py" line="79"/>
        <source>Export to folder</source>
        <translation>导出到文件夹</translation>
    </message>
</context>
<context>
    <name>ImageViewerDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/image_viewer.py" line="27"/>
        <source>Attached image · {0} × {1}</source>
        <translation>附加的图片 · {0} × {1}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/image_viewer.py" line="28"/>
        <location filename="../../app/autoglm/ui/image_viewer.py" line="30"/>
        <source>Attached image</source>
        <translation>附加的图片</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="360"/>
        <source>AutoGLM Desktop</source>
        <translation>AutoGLM 桌面版</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="362"/>
        <source>&amp;New chat</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="362"/>
        <source>&amp;Search chats…</source>
        <translation>搜索对话(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="363"/>
        <source>Focus the message &amp;input</source>
        <translation>聚焦消息输入框(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="363"/>
        <source>S&amp;top generating</source>
        <translation>停止生成(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="364"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="364"/>
        <source>&amp;Model manager…</source>
        <translation>模型管理器(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="365"/>
        <source>&amp;Import a model file…</source>
        <translation>导入模型文件(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="365"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="366"/>
        <source>&amp;Export this chat…</source>
        <translation>导出此对话(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="366"/>
        <source>Export &amp;all chats…</source>
        <translation>导出全部对话(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="367"/>
        <source>Show or hide the &amp;sidebar</source>
        <translation>显示或隐藏侧边栏(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="368"/>
        <source>&amp;About AutoGLM Desktop</source>
        <translation>关于 AutoGLM 桌面版(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="369"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="370"/>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="370"/>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="371"/>
        <source>&amp;Actual size</source>
        <translation>实际大小(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="375"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="376"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="377"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="378"/>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="379"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="380"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="381"/>
        <source>Model manager (Ctrl+M)</source>
        <translation>模型管理器（Ctrl+M）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="382"/>
        <source>Model manager</source>
        <translation>模型管理器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="383"/>
        <source>Settings (Ctrl+,)</source>
        <translation>设置（Ctrl+,）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="384"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="385"/>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="514"/>
        <source>The model “{0}” is not installed, so the starter model is used instead. Choose another in the model picker.</source>
        <translation>模型“{0}”未安装，因此改用入门模型。可在模型选择器中选择其他模型。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="550"/>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="631"/>
        <source>Import a model file</source>
        <translation>导入模型文件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="632"/>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="667"/>
        <source>“{0}” is not an installed model, so the model was not changed: choose one in the model picker or import a GGUF file.</source>
        <translation>“{0}”不是已安装的模型，因此模型未更改：请在模型选择器中选择，或导入 GGUF 文件。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="826"/>
        <source>Chat text size: {0} pt</source>
        <translation>聊天文字大小：{0} 磅</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="844"/>
        <source>A message cannot be deleted while a reply is being written: stop it first (Esc).</source>
        <translation>正在生成回复时不能删除消息：请先停止（Esc）。</translation>
    </message>
    <message>
        <source>The model manager is not part of this build.</source>
        <translation type="vanished">此版本不包含模型管理器。</translation>
    </message>
    <message>
        <source>The settings dialog is not part of this build.</source>
        <translation type="vanished">此版本不包含设置对话框。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="674"/>
        <source>Settings could not be saved: {0}</source>
        <translation>无法保存设置：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="714"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/autoglm/ui/main_window.py" line="741"/>
        <source>Export all %n chat(s).</source>
        <translation>
            <numerusform>导出全部 %n 个对话。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="745"/>
        <source>Export “{0}”.</source>
        <translation>导出“{0}”。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="747"/>
        <source>There is no chat to export yet.</source>
        <translation>还没有可导出的对话。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/autoglm/ui/main_window.py" line="759"/>
        <source>Exported %n chat(s) to {0}</source>
        <translation>
            <numerusform>已将 %n 个对话导出到 {0}</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="765"/>
        <source>The chats could not be exported: {0}</source>
        <translation>无法导出对话：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="770"/>
        <source>Delete chat</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="771"/>
        <source>Delete “{0}” and all its messages? This cannot be undone.</source>
        <translation>删除“{0}”及其所有消息？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation type="vanished">已复制</translation>
    </message>
    <message>
        <source>Code copied</source>
        <translation type="vanished">代码已复制</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="470"/>
        <source>AutoGLM closed while this reply was being written; what it had written is kept.</source>
        <translation>AutoGLM 在写这条回答时关闭了；已写出的内容都保留着。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="596"/>
        <source>{0} was loaded for an API request.</source>
        <translation>已为一个 API 请求加载 {0}。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/main_window.py" line="487"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>Check for &amp;updates…</source>
        <translation>检查更新(&amp;U)…</translation>
    </message>
    <message>
        <source>Version {0} of AutoGLM Desktop is available: Help → Check for updates.</source>
        <translation>AutoGLM 桌面版 {0} 已发布：帮助 → 检查更新。</translation>
    </message>
    <message>
        <source>Imported {0}: linked, the file is used where it is (nothing was copied), so keep it there.</source>
        <translation>已导入 {0}：已链接，文件在原处使用（没有复制），请不要移动它。</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="1"/>
        <source>Replay these {0} steps</source>
        <translation>重放这 {0} 个步骤</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="128"/>
        <source>Edit and resend</source>
        <translation>编辑并重新发送</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="128"/>
        <source>Copy message</source>
        <translation>复制消息</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="129"/>
        <source>Regenerate reply</source>
        <translation>重新生成回复</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="129"/>
        <source>Read aloud</source>
        <translation>朗读</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="191"/>
        <source>Reading your message…</source>
        <translation>正在读取你的消息…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="373"/>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="403"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="190"/>
        <source>Thinking… {0} s</source>
        <translation>思考中… {0} 秒</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="82"/>
        <source>{0} tokens</source>
        <translation>{0} 词元</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="84"/>
        <source>{0} tok/s</source>
        <translation>{0} 词元/秒</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="130"/>
        <source>Continue the reply</source>
        <translation>继续回答</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="176"/>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation type="vanished">思考中…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="194"/>
        <source>Thought for {0} s</source>
        <translation>已思考 {0} 秒</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="195"/>
        <source>Thoughts</source>
        <translation>思考过程</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="242"/>
        <source>Length limit reached: Continue writes more</source>
        <translation>已达到长度上限：点“继续”接着写</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="100"/>
        <source>Generating…</source>
        <translation>生成中…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="131"/>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="132"/>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/message_delegate.py" line="250"/>
        <source>Sources:</source>
        <translation>出处：</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="178"/>
        <location filename="../../app/autoglm/ui/model_manager.py" line="185"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="179"/>
        <source>Model manager</source>
        <translation>模型管理器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="183"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="183"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="183"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="184"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="184"/>
        <source>Memory needed</source>
        <translation>所需内存</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="184"/>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="186"/>
        <source>Models in the catalog and models imported from disk</source>
        <translation>目录中的模型和从磁盘导入的模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="204"/>
        <source>Model details</source>
        <translation>模型详情</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="208"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="213"/>
        <source>Progress details</source>
        <translation>进度详情</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="216"/>
        <source>Use for chat</source>
        <translation>用于对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="216"/>
        <source>Chat with the selected model</source>
        <translation>使用所选模型对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="218"/>
        <source>Import GGUF…</source>
        <translation>导入 GGUF…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="219"/>
        <source>Add a GGUF model (and its vision projector) from this computer</source>
        <translation>从本机添加 GGUF 模型（及其视觉投影器）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="221"/>
        <location filename="../../app/autoglm/ui/model_manager.py" line="387"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="221"/>
        <source>Download the selected model&apos;s files</source>
        <translation>下载所选模型的文件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="223"/>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="224"/>
        <source>Stop the download; what arrived is kept for resuming</source>
        <translation>停止下载；已下载的部分会保留以便继续</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="226"/>
        <source>Verify</source>
        <translation>校验</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="227"/>
        <source>Check the selected model&apos;s files against the catalog</source>
        <translation>按目录校验所选模型的文件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="229"/>
        <source>Discover…</source>
        <translation>发现…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="230"/>
        <source>Search the model hub for GGUF models that fit this computer</source>
        <translation>在模型仓库中搜索适合本机的 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="238"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="238"/>
        <source>Close the model manager</source>
        <translation>关闭模型管理器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="302"/>
        <source>(active)</source>
        <translation>（当前）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="303"/>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="318"/>
        <source>Chat model</source>
        <translation>对话模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="318"/>
        <source>Speech recognition</source>
        <translation>语音识别</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="319"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="323"/>
        <source>Damaged: {0}</source>
        <translation>已损坏：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="326"/>
        <source>Partly downloaded ({0}); resume to finish</source>
        <translation>部分已下载（{0}）；继续下载以完成</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="328"/>
        <source>Bundled; prepared on first use</source>
        <translation>已内置；首次使用时准备</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="329"/>
        <source>Not on this computer</source>
        <translation>不在本机上</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="331"/>
        <source>Imported (no catalog checksum)</source>
        <translation>已导入（目录中无校验和）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="333"/>
        <source>Present (no catalog checksum)</source>
        <translation>已存在（目录中无校验和）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="334"/>
        <source>Verified</source>
        <translation>已校验</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="334"/>
        <source>Checksum mismatch</source>
        <translation>校验和不匹配</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="335"/>
        <source>Present, not verified yet</source>
        <translation>已存在，尚未校验</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="341"/>
        <source>≈ {0}</source>
        <translation>≈ {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="346"/>
        <source>{0} at {1} tokens</source>
        <translation>{0}（{1} 词元）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="349"/>
        <source>≈ {0:.1f} GB</source>
        <translation>≈ {0:.1f} GB</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="386"/>
        <source>Resume download</source>
        <translation>继续下载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="404"/>
        <source>To add it, press “Import GGUF…” and choose its Q4_K_M GGUF, then its mmproj projector GGUF.</source>
        <translation>要添加它，请点击“导入 GGUF…”，先选择其 Q4_K_M GGUF，再选择其 mmproj 投影器 GGUF。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="421"/>
        <location filename="../../app/autoglm/ui/model_manager.py" line="437"/>
        <source>Import a GGUF model</source>
        <translation>导入 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="422"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Optional: its vision projector (mmproj GGUF); Cancel for a text-only model</source>
        <translation type="vanished">可选：其视觉投影器（mmproj GGUF）；纯文本模型请点取消</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="456"/>
        <source>GGUF projectors (*.gguf);;All files (*)</source>
        <translation>GGUF 投影器 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="429"/>
        <location filename="../../app/autoglm/ui/model_manager.py" line="465"/>
        <location filename="../../app/autoglm/ui/model_manager.py" line="585"/>
        <source>Checking {0}…</source>
        <translation>正在检查 {0}…</translation>
    </message>
    <message>
        <source>Imported as “{0}”. Select it and press “Use for chat”.</source>
        <translation type="vanished">已导入为“{0}”。选中它并点击“用于对话”。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="526"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="544"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="553"/>
        <source>Downloaded {0}</source>
        <translation>已下载 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="555"/>
        <source>Downloaded {0} of {1}</source>
        <translation>已下载 {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="557"/>
        <source>{0}/s</source>
        <translation>{0}/秒</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="559"/>
        <source>about {0} left</source>
        <translation>约剩 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="566"/>
        <source>Checking the downloaded files… {0}%</source>
        <translation>正在检查已下载的文件… {0}%</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="570"/>
        <source>Download complete and verified.</source>
        <translation>下载完成并已校验。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="602"/>
        <source>Computing checksums… {0}%</source>
        <translation>正在计算校验和… {0}%</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="607"/>
        <source>Every file matches the catalog&apos;s checksum.</source>
        <translation>所有文件均与目录中的校验和一致。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="609"/>
        <source>The files are complete, readable GGUF files (the catalog has no checksum to compare them with).</source>
        <translation>这些文件是完整、可读的 GGUF 文件（目录中没有可比对的校验和）。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="633"/>
        <source>Download paused; press “Resume download” to continue.</source>
        <translation>下载已暂停；点击“继续下载”以继续。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="656"/>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="658"/>
        <source>{0} min</source>
        <translation>{0} 分钟</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="659"/>
        <source>{0:.1f} h</source>
        <translation>{0:.1f} 小时</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="232"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="233"/>
        <source>Take the selected imported model off the list (its files stay)</source>
        <translation>把所选的导入模型从列表中移除（文件保留）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="235"/>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="236"/>
        <source>Open the folder holding the selected model&apos;s file</source>
        <translation>打开存放所选模型文件的文件夹</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="438"/>
        <source>“{0}” is a usable model file ({1}, {2}).</source>
        <translation>“{0}”是可用的模型文件（{1}，{2}）。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="441"/>
        <source>To read images it needs its vision projector, a second GGUF file usually named mmproj-….gguf next to it. Without one it answers text only.</source>
        <translation>要读取图片，它需要自己的视觉投影器：通常是放在旁边、名为 mmproj-….gguf 的第二个 GGUF 文件。没有它，模型只回答文字。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="443"/>
        <source>Choose the projector…</source>
        <translation>选择投影器…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="444"/>
        <source>Text only</source>
        <translation>仅文字</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="445"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="454"/>
        <source>Choose the vision projector</source>
        <translation>选择视觉投影器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="473"/>
        <source>Imported as “{0}”: the file stays where it is (it was not copied), so keep it there. Select it and press “Use for chat”.</source>
        <translation>已导入为“{0}”：文件留在原处（没有复制），请不要移动它。选中它并点击“用于聊天”。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="483"/>
        <source>“{0}” is the model in use: choose another for chat first.</source>
        <translation>“{0}”正在使用中：请先为聊天选择另一个模型。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_manager.py" line="491"/>
        <source>“{0}” was removed from the list; its files were left on disk.</source>
        <translation>“{0}”已从列表中移除；文件仍留在磁盘上。</translation>
    </message>
    <message>
        <source>Vision projector: {0}</source>
        <translation>视觉投影器：{0}</translation>
    </message>
    <message>
        <source>No vision projector: it reads text only</source>
        <translation>没有视觉投影器：只能读文字</translation>
    </message>
    <message>
        <source>Imported “{0}” (id {1}): the file stays where it is (it was not copied), so keep it there. Select it and press “Use for chat”.</source>
        <translation>已导入“{0}”（id {1}）：文件留在原处（没有复制），请不要移动它。选中它并点击“用于聊天”。</translation>
    </message>
    <message>
        <source>File missing: {0} was moved or deleted</source>
        <translation>文件缺失：{0} 已被移动或删除</translation>
    </message>
    <message>
        <source>Copied into the models folder</source>
        <translation>已复制到模型文件夹</translation>
    </message>
    <message>
        <source>In the models folder</source>
        <translation>在模型文件夹中</translation>
    </message>
    <message>
        <source>Linked from {0}</source>
        <translation>链接自 {0}</translation>
    </message>
    <message>
        <source>To read images it needs its vision projector, a second GGUF file usually named mmproj-….gguf next to it. Without one it answers text only.

The file is used where it is (linked, nothing is copied): keep it there. Tick the box to copy it into the models folder instead.</source>
        <translation>要读取图片，它需要视觉投影器：通常是放在它旁边、名为 mmproj-….gguf 的第二个 GGUF 文件。没有投影器时它只回答文字。

文件将在原处使用（链接，不会复制）：请把它留在那里。勾选下面的选项可改为复制到模型文件夹。</translation>
    </message>
    <message>
        <source>Copy it into the models folder ({0} more on disk, {1} free there)</source>
        <translation>复制到模型文件夹（再占用 {0} 磁盘空间，那里可用 {1}）</translation>
    </message>
    <message>
        <source>A copy is independent of the original, which may then be moved or deleted; the models folder is {0}</source>
        <translation>副本与原文件无关，之后可以移动或删除原文件；模型文件夹是 {0}</translation>
    </message>
    <message>
        <source>Copy it into the models folder: not enough free space ({0} needed, {1} free)</source>
        <translation>复制到模型文件夹：可用空间不足（需要 {0}，可用 {1}）</translation>
    </message>
    <message>
        <source>Copying into the models folder… {0}%</source>
        <translation>正在复制到模型文件夹… {0}%</translation>
    </message>
    <message>
        <source>Imported “{0}” (id {1}): copied into the models folder, so the original may be moved or deleted. Select it and press “Use for chat”.</source>
        <translation>已导入“{0}”（id {1}）：已复制到模型文件夹，原文件可以移动或删除。选中它并点击“用于对话”。</translation>
    </message>
    <message>
        <source>Imported “{0}” (id {1}): linked, the file is used where it is (it was not copied), so keep it there. Select it and press “Use for chat”.</source>
        <translation>已导入“{0}”（id {1}）：已链接，文件在原处使用（没有复制），请不要移动它。选中它并点击“用于对话”。</translation>
    </message>
    <message>
        <source>Remove a copied model</source>
        <translation>移除复制的模型</translation>
    </message>
    <message>
        <source>“{0}” was copied into the models folder. Removing it deletes that copy ({1}); the file it was copied from is not touched.</source>
        <translation>“{0}”已复制到模型文件夹。移除它会删除这份副本（{1}）；复制来源的原文件不受影响。</translation>
    </message>
    <message>
        <source>“{0}” was removed from the list and its copy in the models folder deleted; the original was left where it was.</source>
        <translation>“{0}”已从列表中移除，模型文件夹中的副本已删除；原文件留在原处。</translation>
    </message>
    <message>
        <source>Take the selected imported model off the list (a linked file stays; a copy in the models folder is deleted)</source>
        <translation>把所选的导入模型从列表中移除（链接的文件保留；模型文件夹中的副本会被删除）</translation>
    </message>
    <message>
        <source>Put the file back where it was, or remove this entry and import it again from where it is now.</source>
        <translation>请把文件放回原处，或移除此条目后从它现在的位置重新导入。</translation>
    </message>
</context>
<context>
    <name>ModelPickerWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/model_picker.py" line="87"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_picker.py" line="88"/>
        <source>The model that answers: choose another to load it</source>
        <translation>回答所用的模型：选择另一个即可加载</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_picker.py" line="89"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_picker.py" line="90"/>
        <source>Eject the model (frees its memory)</source>
        <translation>弹出模型（释放其内存）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/model_picker.py" line="91"/>
        <source>Eject the model</source>
        <translation>弹出模型</translation>
    </message>
    <message>
        <source>Manage models…</source>
        <translation>管理模型…</translation>
    </message>
    <message>
        <source>Import a GGUF, download one, or see every model</source>
        <translation>导入 GGUF、下载模型，或查看所有模型</translation>
    </message>
</context>
<context>
    <name>NotificationBannerWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/notification.py" line="43"/>
        <source>Notification</source>
        <translation>通知</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/notification.py" line="49"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/notification.py" line="50"/>
        <source>Dismiss notification</source>
        <translation>关闭通知</translation>
    </message>
</context>
<context>
    <name>ProjectSettingsDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="120"/>
        <source>&amp;Apply preset</source>
        <translation>应用预设(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="149"/>
        <source>&amp;Create</source>
        <translation>创建(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="92"/>
        <source>&amp;Instructions</source>
        <translation>指令(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="86"/>
        <source>&amp;Name</source>
        <translation>名称(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="149"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="100"/>
        <source>A field at its lowest value shows “Settings default”: the value from Settings is used</source>
        <translation>值调到最低时显示“设置默认值”：使用设置中的值</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="150"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="96"/>
        <source>Default &amp;model</source>
        <translation>默认模型(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="85"/>
        <source>For example: Taxes 2026</source>
        <translation>例如：2026 年报税</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="89"/>
        <source>How the assistant should behave in this project&apos;s chats (empty: the system prompt from Settings)</source>
        <translation>助手在此项目的聊天中应如何表现（留空：使用设置中的系统提示）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="104"/>
        <source>Longest reply (tokens)</source>
        <translation>最长回复（词元）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="79"/>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="129"/>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="130"/>
        <source>Preset name</source>
        <translation>预设名称</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="222"/>
        <source>Preset “{0}” applied: Save to keep it.</source>
        <translation>已应用预设“{0}”：保存后生效。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="119"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="114"/>
        <source>Presets</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="79"/>
        <source>Project settings</source>
        <translation>项目设置</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="104"/>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="99"/>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="131"/>
        <source>Save as &amp;preset</source>
        <translation>另存为预设(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="232"/>
        <source>Saved as preset “{0}”.</source>
        <translation>已另存为预设“{0}”。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="105"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="108"/>
        <source>Settings default</source>
        <translation>设置默认值</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="103"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="217"/>
        <source>That preset no longer exists.</source>
        <translation>该预设已不存在。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="250"/>
        <source>This project was deleted meanwhile.</source>
        <translation>此项目已被删除。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="103"/>
        <source>Top k</source>
        <translation>Top k</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="103"/>
        <source>Top p</source>
        <translation>Top p</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="95"/>
        <source>Whichever model is loaded</source>
        <translation>当前加载的模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/project_dialog.py" line="196"/>
        <source>{0} (not installed)</source>
        <translation>{0}（未安装）</translation>
    </message>
</context>
<context>
    <name>ProjectsPresenter</name>
    <message>
        <location filename="../../app/autoglm/ui/projects_presenter.py" line="177"/>
        <source>Delete project and chats</source>
        <translation>删除项目及其聊天</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/projects_presenter.py" line="170"/>
        <source>Delete project</source>
        <translation>删除项目</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/projects_presenter.py" line="175"/>
        <source>Delete project, keep chats</source>
        <translation>删除项目，保留聊天</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/autoglm/ui/projects_presenter.py" line="171"/>
        <source>Delete the project “{0}”? Its %n chat(s) can be kept outside any project, or deleted with it.</source>
        <translation>
            <numerusform>删除项目“{0}”？其 %n 个聊天可以保留在项目之外，或一并删除。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/projects_presenter.py" line="126"/>
        <location filename="../../app/autoglm/ui/projects_presenter.py" line="161"/>
        <source>That project no longer exists.</source>
        <translation>该项目已不存在。</translation>
    </message>
</context>
<context>
    <name>RegionOverlayWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/capture/region_overlay.py" line="102"/>
        <source>Region selection</source>
        <translation>区域选择</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/region_overlay.py" line="202"/>
        <source>Drag to select a region  ·  Esc cancels</source>
        <translation>拖动以选择区域  ·  按 Esc 取消</translation>
    </message>
</context>
<context>
    <name>Screenshot</name>
    <message>
        <location filename="../../app/autoglm/ui/capture/screenshot.py" line="30"/>
        <source>Screen</source>
        <translation>屏幕</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/screenshot.py" line="44"/>
        <source>This desktop does not let applications take screenshots (Wayland blocks it): take one with the system&apos;s screenshot tool and paste it here.</source>
        <translation>此桌面不允许应用截图（Wayland 会阻止）：请用系统截图工具截图后粘贴到这里。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="1"/>
        <source>Memory for conversation caches (MB)</source>
        <translation>对话缓存内存（MB）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="1"/>
        <source>Conversations cached in memory</source>
        <translation>内存中缓存的对话数</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="1"/>
        <source>Replies decoded together</source>
        <translation>同时解码的回复数</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="1"/>
        <source>Disk for conversation caches (MB)</source>
        <translation>对话缓存磁盘空间（MB）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="113"/>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="115"/>
        <source>Model on the server</source>
        <translation>服务器上的模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="124"/>
        <source>Empty: the local model answers</source>
        <translation>留空：由本地模型回答</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="125"/>
        <source>The first model the server lists</source>
        <translation>服务器列出的第一个模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="584"/>
        <source>Remote engine</source>
        <translation>远程引擎</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="703"/>
        <source>With a server address, chats, voice and the API are answered by that OpenAI-compatible server (vLLM, SGLang, llama.cpp&apos;s server) instead of the local model. Choosing a local model in the model manager clears it.</source>
        <translation>填写服务器地址后，聊天、语音和 API 都由该 OpenAI 兼容服务器（vLLM、SGLang、llama.cpp 的服务器）回答，而不是本地模型。在模型管理器中选择本地模型会清除该地址。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="709"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="711"/>
        <source>Ask the server which models it serves (nothing is saved)</source>
        <translation>询问服务器提供哪些模型（不会保存任何设置）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="731"/>
        <source>Type the server&apos;s address first, for example http://gpu-box:8000/v1.</source>
        <translation>请先输入服务器地址，例如 http://gpu-box:8000/v1。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="737"/>
        <source>This is not a server address: {0}.</source>
        <translation>这不是服务器地址：{0}。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="740"/>
        <source>Connecting to {0}…</source>
        <translation>正在连接 {0}…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="59"/>
        <source>Active model</source>
        <translation>当前模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="60"/>
        <source>Vision projector file</source>
        <translation>视觉投影器文件</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="61"/>
        <source>Context size (tokens)</source>
        <translation>上下文大小（词元）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="62"/>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="63"/>
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="64"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="65"/>
        <source>Flash attention</source>
        <translation>Flash Attention</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="66"/>
        <source>Unload projector after (s)</source>
        <translation>空闲多久后卸载投影器（秒）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="67"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="68"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="69"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="70"/>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="71"/>
        <source>Longest reply (tokens)</source>
        <translation>最长回复（词元）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="72"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="73"/>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="74"/>
        <source>Think before answering</source>
        <translation>回答前先思考</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="75"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="76"/>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="77"/>
        <source>Speech recognition model</source>
        <translation>语音识别模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="78"/>
        <source>Spoken language</source>
        <translation>口语语言</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="79"/>
        <source>English voice</source>
        <translation>英文语音</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="80"/>
        <source>Chinese voice</source>
        <translation>中文语音</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="83"/>
        <source>Turn detector</source>
        <translation>话轮检测</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="84"/>
        <source>Silence after a finished sentence (ms)</source>
        <translation>完整句子后的静音（毫秒）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="85"/>
        <source>Silence allowed mid-sentence (ms)</source>
        <translation>句中允许的静音（毫秒）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="93"/>
        <source>Tokens per image (screenshots are scaled to fit)</source>
        <translation>每张图片的词元数（截图会缩放以适应）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="105"/>
        <source>Allowed host names (comma-separated)</source>
        <translation>允许的主机名（逗号分隔）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="106"/>
        <source>Allowed web origins (comma-separated)</source>
        <translation>允许的网页来源（逗号分隔）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="107"/>
        <source>Require the key on this computer</source>
        <translation>本机也需要密钥</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="108"/>
        <source>Allow desktop control</source>
        <translation>允许控制桌面</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="109"/>
        <source>Allow MCP tools</source>
        <translation>允许 MCP 工具</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="123"/>
        <source>Automatic (when acting or tools are on)</source>
        <translation>自动（开启操作或工具时）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="135"/>
        <source>Whisper tiny.en (English, fastest)</source>
        <translation>Whisper tiny.en（英文，最快）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="136"/>
        <source>Whisper base (Chinese, English and more)</source>
        <translation>Whisper base（中文、英文等）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="137"/>
        <source>Piper en_US joe</source>
        <translation>Piper en_US joe</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="138"/>
        <source>espeak-ng Mandarin</source>
        <translation>espeak-ng 普通话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="138"/>
        <source>Piper zh_CN huayan</source>
        <translation>Piper zh_CN huayan</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="138"/>
        <source>Whisper small (Chinese, English and more; larger)</source>
        <translation>Whisper small（中文、英文等；较大）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="138"/>
        <source>{0} → {1}: &apos;{2}&apos; is not installed; pick one that is (the model manager downloads more).</source>
        <translation>{0} → {1}：“{2}”未安装；请选择已安装的（模型管理器可以下载更多）。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="546"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="585"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="627"/>
        <source>OK or Apply reloads the model at once when a change on this page concerns it; the download source and hub addresses apply without a reload.</source>
        <translation>若本页的更改涉及模型，按“确定”或“应用”会立即重新加载模型；下载来源和模型库地址无需重新加载即可生效。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="81"/>
        <source>Speaking speed</source>
        <translation>语速</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="82"/>
        <source>Silence ending a turn (ms)</source>
        <translation>结束一轮发言的静音时长（毫秒）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="86"/>
        <source>Audio kept before speech (ms)</source>
        <translation>语音前保留的音频（毫秒）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="87"/>
        <source>Speech detection threshold</source>
        <translation>语音检测阈值</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="88"/>
        <source>Using a headset</source>
        <translation>使用耳机</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="89"/>
        <source>Interrupt by speaking</source>
        <translation>说话即可打断</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="90"/>
        <source>Read replies aloud</source>
        <translation>朗读回复</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="91"/>
        <source>Unload speech models after (s)</source>
        <translation>空闲多久后卸载语音模型（秒）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="92"/>
        <source>Largest image given to the model (pixels)</source>
        <translation>提供给模型的最大图片（像素）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="94"/>
        <source>Refuse images larger than (pixels)</source>
        <translation>拒绝大于此值的图片（像素）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="95"/>
        <source>Hide the window while capturing</source>
        <translation>截图时隐藏窗口</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="96"/>
        <source>Serve the API</source>
        <translation>提供 API 服务</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="97"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="98"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="99"/>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="114"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="100"/>
        <source>Requests per minute</source>
        <translation>每分钟请求数</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="101"/>
        <source>Longest request queue</source>
        <translation>最长请求队列</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="102"/>
        <source>Largest request (MiB)</source>
        <translation>最大请求（MiB）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="103"/>
        <source>Longest audio (s)</source>
        <translation>最长音频（秒）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="104"/>
        <source>Folder for file:// images</source>
        <translation>file:// 图片所在文件夹</translation>
    </message>
    <message>
        <source>CORS origins (comma-separated)</source>
        <translation type="vanished">CORS 来源（逗号分隔）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="110"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="111"/>
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="112"/>
        <source>Chat text size (pt)</source>
        <translation>对话文字大小（磅）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="118"/>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="134"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="119"/>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="121"/>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="122"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="128"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="129"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="130"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="462"/>
        <source>Not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="530"/>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="531"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="532"/>
        <source>Settings pages</source>
        <translation>设置页面</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="533"/>
        <source>Settings page</source>
        <translation>设置页</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="553"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="554"/>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="555"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="556"/>
        <source>Restore defaults</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="561"/>
        <source>Put this page&apos;s settings back to their defaults (nothing changes until you apply)</source>
        <translation>将本页设置恢复为默认值（点击应用前不会生效）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="584"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="585"/>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="586"/>
        <source>Vision</source>
        <translation>视觉</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="586"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="586"/>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Changes on this page take effect the next time a model loads.</source>
        <translation type="vanished">本页的更改将在下次加载模型时生效。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="669"/>
        <source>{0} settings</source>
        <translation>{0}设置</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="682"/>
        <source>{0} was trained on up to {1} tokens, so the context size goes up to that.</source>
        <translation>{0} 训练时的上下文最多为 {1} 个 token，因此上下文大小最多到此为止。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="683"/>
        <source>This model</source>
        <translation>此模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="686"/>
        <source>This build of llama.cpp has no GPU support, so every layer runs on the CPU whatever this says.</source>
        <translation>此 llama.cpp 版本不支持 GPU，因此无论此处如何设置，所有层都在 CPU 上运行。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="694"/>
        <source>{0}: {1} is more than this model was trained on, so it was set to {2}.</source>
        <translation>{0}：{1} 超过了此模型训练时的上下文，因此已设为 {2}。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="697"/>
        <source>{0}: {1} is outside what it accepts, so it was set to {2}.</source>
        <translation>{0}：{1} 超出了允许的范围，因此已设为 {2}。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="803"/>
        <source>Server → Address: serving on {0} makes the model reachable from other computers, so set an API key first (Server → API key).</source>
        <translation>服务器 → 地址：在 {0} 上提供服务会让其他电脑也能访问模型，请先设置 API 密钥（服务器 → API 密钥）。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="806"/>
        <source>Server → API key: while desktop control or MCP tools are allowed, or the key is required on this computer, every client must send a key, so set one (or turn those off).</source>
        <translation>服务器 → API 密钥：允许控制桌面或 MCP 工具，或本机也需要密钥时，每个客户端都必须发送密钥，请设置一个（或关闭这些选项）。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="811"/>
        <source>Voice → the silence after a finished sentence must be shorter than the silence allowed mid-sentence.</source>
        <translation>语音 → 完整句子后的静音必须短于句中允许的静音。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="814"/>
        <source>Voice → Interrupt by speaking needs a headset (tick “Using a headset”): through speakers the assistant would interrupt itself.</source>
        <translation>语音 → 说话即可打断需要耳机（勾选“使用耳机”）：用扬声器时助手会打断自己。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="828"/>
        <source>These settings cannot be used yet:</source>
        <translation>这些设置暂时无法使用：</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="120"/>
        <source>As long as the context allows</source>
        <translation>上下文允许的最长长度</translation>
    </message>
    <message>
        <source>{0} (not found)</source>
        <translation type="vanished">{0}（未找到）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="599"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="601"/>
        <source>Browse for {0}</source>
        <translation>浏览：{0}</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="vanished">所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="150"/>
        <source>GGUF projectors (*.gguf)</source>
        <translation>GGUF 投影器 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="152"/>
        <location filename="../../app/autoglm/ui/settings_dialog.py" line="153"/>
        <source>Piper voices (*.onnx)</source>
        <translation>Piper 语音 (*.onnx)</translation>
    </message>
    <message>
        <source>Download models from</source>
        <translation>模型下载来源</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>Hugging Face 地址（镜像）</translation>
    </message>
    <message>
        <source>ModelScope address</source>
        <translation>ModelScope 地址</translation>
    </message>
    <message>
        <source>Updates</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Look for a new version when the app starts</source>
        <translation>启动时检查新版本</translation>
    </message>
    <message>
        <source>Update feed</source>
        <translation>更新源</translation>
    </message>
    <message>
        <source>Update signing key</source>
        <translation>更新签名密钥</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="100"/>
        <source>Push to talk (hold)</source>
        <translation>按住说话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="101"/>
        <source>Send the message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="101"/>
        <location filename="../../app/autoglm/ui/keyboard.py" line="105"/>
        <source>Enter</source>
        <translation>回车</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="102"/>
        <source>New line in the message</source>
        <translation>在消息中换行</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="102"/>
        <source>Shift+Enter</source>
        <translation>Shift+回车</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="103"/>
        <source>Open the menu of the focused item</source>
        <translation>打开当前焦点项的菜单</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="103"/>
        <source>Shift+F10 or Menu</source>
        <translation>Shift+F10 或菜单键</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="104"/>
        <source>Actions of the selected message (copy, code blocks, read aloud…)</source>
        <translation>所选消息的操作（复制、代码块、朗读…）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="106"/>
        <source>Move between controls</source>
        <translation>在控件之间移动</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="106"/>
        <source>Tab, Shift+Tab</source>
        <translation>Tab、Shift+Tab</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="107"/>
        <source>Rename or delete the selected chat</source>
        <translation>重命名或删除所选对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="107"/>
        <source>F2, Delete</source>
        <translation>F2、Delete</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="118"/>
        <location filename="../../app/autoglm/ui/keyboard.py" line="119"/>
        <location filename="../../app/autoglm/ui/keyboard.py" line="128"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="122"/>
        <source>Every menu item with a key, and the keys that work anywhere in the window.</source>
        <translation>所有带快捷键的菜单项，以及在窗口任何位置都可用的按键。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="129"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="129"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/keyboard.py" line="141"/>
        <location filename="../../app/autoglm/ui/keyboard.py" line="142"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Scroll the selected message's wide code sideways</source>
        <translation>横向滚动所选消息中较宽的代码</translation>
    </message>
    <message>
        <source>Shift+Left/Right, Shift+Home/End</source>
        <translation>Shift+左/右，Shift+Home/End</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="92"/>
        <source>Pinned</source>
        <translation>已置顶</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="92"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="93"/>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="93"/>
        <source>Previous 7 days</source>
        <translation>过去 7 天</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="94"/>
        <source>Previous 30 days</source>
        <translation>过去 30 天</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="94"/>
        <source>Older</source>
        <translation>更早</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="95"/>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
</context>
<context>
    <name>SidebarWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="261"/>
        <location filename="../../app/autoglm/ui/sidebar.py" line="263"/>
        <location filename="../../app/autoglm/ui/sidebar.py" line="384"/>
        <location filename="../../app/autoglm/ui/sidebar.py" line="469"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="262"/>
        <source>New chat (Ctrl+N)</source>
        <translation>新对话（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="266"/>
        <source>Search all chats (Ctrl+K)</source>
        <translation>搜索所有对话（Ctrl+K）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="267"/>
        <location filename="../../app/autoglm/ui/sidebar.py" line="268"/>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="269"/>
        <source>Conversations</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="318"/>
        <source>Writing a reply…</source>
        <translation>正在写回答…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="547"/>
        <location filename="../../app/autoglm/ui/sidebar.py" line="594"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="596"/>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="596"/>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="598"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="601"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="555"/>
        <source>Delete project…</source>
        <translation>删除项目…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="543"/>
        <source>Documents…</source>
        <translation>文档…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="563"/>
        <source>Move to project</source>
        <translation>移到项目</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="541"/>
        <source>New chat in this project</source>
        <translation>在此项目中新建聊天</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="265"/>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="264"/>
        <source>New project: a folder of chats with its own instructions</source>
        <translation>新建项目：一组拥有自己指令的聊天</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="576"/>
        <source>No project</source>
        <translation>不属于任何项目</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="545"/>
        <source>Project settings…</source>
        <translation>项目设置…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/sidebar.py" line="406"/>
        <source>Project {0}</source>
        <translation>项目 {0}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/autoglm/ui/sidebar.py" line="405"/>
        <source>Project “{0}”: %n chat(s)</source>
        <translation>
            <numerusform>项目“{0}”：%n 个聊天</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SpeechHook</name>
    <message>
        <location filename="../../app/autoglm/ui/speech_hook.py" line="41"/>
        <source>Reading aloud is not available in this build yet.</source>
        <translation>此版本暂不支持朗读。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/speech_hook.py" line="48"/>
        <source>Could not read aloud: {0}</source>
        <translation>无法朗读：{0}</translation>
    </message>
</context>
<context>
    <name>StatusBarWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="1"/>
        <source>Conversation caches</source>
        <translation>对话缓存</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="1"/>
        <source>1 conversation cached · {0}</source>
        <translation>已缓存 1 个对话 · {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="1"/>
        <source>{0} conversations cached · {1}</source>
        <translation>已缓存 {0} 个对话 · {1}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="1"/>
        <source> · {0} on disk</source>
        <translation> · 磁盘 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="1"/>
        <source> · restored from disk</source>
        <translation> · 已从磁盘恢复</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="1"/>
        <source>Each recent conversation keeps its evaluated prompt, so switching back answers at once; caches evicted or kept over a restart are saved on disk.</source>
        <translation>每个最近的对话都保留已计算的提示，切换回来即可立即回答；被移出内存或跨重启保留的缓存保存在磁盘上。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="60"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="61"/>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="62"/>
        <source>Speed of the last reply</source>
        <translation>上次回复的速度</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="63"/>
        <source>Memory in use</source>
        <translation>内存占用</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="64"/>
        <source>Model loading progress</source>
        <translation>模型加载进度</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="84"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="88"/>
        <source>Remote: {0} · {1}</source>
        <translation>远程：{0} · {1}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="100"/>
        <source>{0} · {1} GPU layers</source>
        <translation>{0} · {1} 层在 GPU</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="101"/>
        <source>{0} ctx</source>
        <translation>上下文 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="112"/>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="124"/>
        <source>{0} tok/s</source>
        <translation>{0} 词元/秒</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/status_bar.py" line="137"/>
        <source>Memory {0}</source>
        <translation>内存 {0}</translation>
    </message>
</context>
<context>
    <name>ToolApprovalCardWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/tool_cards.py" line="36"/>
        <source>Approve once</source>
        <translation>批准一次</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tool_cards.py" line="39"/>
        <source>Always for this tool</source>
        <translation>此工具始终允许</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tool_cards.py" line="41"/>
        <source>Run {0} without asking from now on (Settings → Tools)</source>
        <translation>从现在起运行 {0} 时不再询问（设置 → 工具）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tool_cards.py" line="42"/>
        <source>Deny</source>
        <translation>拒绝</translation>
    </message>
</context>
<context>
    <name>ToolController</name>
    <message>
        <location filename="../../app/autoglm/ui/tool_controller.py" line="69"/>
        <source>The tool servers could not be saved: {0}</source>
        <translation>无法保存工具服务器：{0}</translation>
    </message>
</context>
<context>
    <name>ToolsSettingsPageWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="128"/>
        <source>Tool servers (MCP) give the model tools it can call: it asks, you approve each call. Switch off the tools you never want offered.</source>
        <translation>工具服务器（MCP）为模型提供可调用的工具：模型请求，每次调用由你批准。关闭你不想提供的工具。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="130"/>
        <source>Server or tool</source>
        <translation>服务器或工具</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="130"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="131"/>
        <source>Tool servers and their tools</source>
        <translation>工具服务器及其工具</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="132"/>
        <source>Import mcp.json…</source>
        <translation>导入 mcp.json…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="133"/>
        <source>Add the servers of a Claude Desktop, Cursor or LM Studio mcp.json</source>
        <translation>添加 Claude Desktop、Cursor 或 LM Studio 的 mcp.json 中的服务器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="134"/>
        <source>Remove server</source>
        <translation>移除服务器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="135"/>
        <source>Add a server</source>
        <translation>添加服务器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="136"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="137"/>
        <source>Command or URL</source>
        <translation>命令或 URL</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="138"/>
        <source>npx, uvx, python … or http://127.0.0.1:8931/mcp</source>
        <translation>npx、uvx、python … 或 http://127.0.0.1:8931/mcp</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="139"/>
        <source>Arguments</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="140"/>
        <source>-y @modelcontextprotocol/server-filesystem ~/Documents</source>
        <translation>-y @modelcontextprotocol/server-filesystem ~/Documents</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="141"/>
        <source>Environment or headers</source>
        <translation>环境变量或请求头</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="142"/>
        <source>KEY=value, one per line (headers for a URL)</source>
        <translation>KEY=value，每行一个（URL 则为请求头）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="143"/>
        <source>Add server</source>
        <translation>添加服务器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="150"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="152"/>
        <source>Connects when applied</source>
        <translation>应用后连接</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="154"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="156"/>
        <source>Not available: {0}</source>
        <translation>不可用：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="157"/>
        <source>Connected · {0} tools</source>
        <translation>已连接 · {0} 个工具</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="180"/>
        <source>Runs without asking (you chose “Always for this tool”)</source>
        <translation>无需询问即运行（你选择了“此工具始终允许”）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="182"/>
        <source>Asks before each call</source>
        <translation>每次调用前询问</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="229"/>
        <source>Give the server a name.</source>
        <translation>请为服务器命名。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="231"/>
        <source>There is already a server called “{0}”.</source>
        <translation>已有名为“{0}”的服务器。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="233"/>
        <source>Give the command to run, or the server&apos;s URL.</source>
        <translation>请给出要运行的命令或服务器的 URL。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="237"/>
        <source>The arguments cannot be read: {0}.</source>
        <translation>无法读取参数：{0}。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="253"/>
        <source>Import an mcp.json</source>
        <translation>导入 mcp.json</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="254"/>
        <source>MCP configuration (*.json)</source>
        <translation>MCP 配置（*.json）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/tools_settings.py" line="266"/>
        <source>Imported {0} server(s) from {1}; Apply connects them.</source>
        <translation>已从 {1} 导入 {0} 个服务器；点“应用”后连接。</translation>
    </message>
</context>
<context>
    <name>VideoPreviewWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="65"/>
        <source>Waiting for the camera…</source>
        <translation>正在等待摄像头…</translation>
    </message>
</context>
<context>
    <name>VoiceController</name>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="156"/>
        <source>&amp;Voice</source>
        <translation>语音(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="157"/>
        <source>&amp;Hands-free conversation</source>
        <translation>免提对话(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="158"/>
        <source>&amp;Read replies aloud</source>
        <translation>朗读回复(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="159"/>
        <source>&amp;Stop speaking</source>
        <translation>停止朗读(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="160"/>
        <source>&amp;Devices</source>
        <translation>设备(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="161"/>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="232"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="162"/>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="163"/>
        <source>Sound devices</source>
        <translation>声音设备</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="164"/>
        <source>Microphone level</source>
        <translation>麦克风音量</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="169"/>
        <source>Loading speech models…</source>
        <translation>正在加载语音模型…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="170"/>
        <source>Listening…</source>
        <translation>正在聆听…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="170"/>
        <source>Hearing you…</source>
        <translation>正在听你说…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="171"/>
        <source>Transcribing…</source>
        <translation>正在转写…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="171"/>
        <source>Thinking…</source>
        <translation>正在思考…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="172"/>
        <source>Speaking…</source>
        <translation>正在朗读…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="172"/>
        <source>Voice is unavailable</source>
        <translation>语音不可用</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="173"/>
        <source>Hold F9 or the mic to talk</source>
        <translation>按住 F9 或麦克风按钮说话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="183"/>
        <source>Didn&apos;t catch that: hold F9 and speak</source>
        <translation>没听清：请按住 F9 说话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="191"/>
        <source>Hands-free conversation is on: click to turn it off, or hold to talk now</source>
        <translation>免提对话已开启：单击关闭，或按住立即说话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="194"/>
        <source>Hold to talk (or hold F9); click for a hands-free conversation (Ctrl+Shift+V)</source>
        <translation>按住说话（或按住 F9）；单击开始免提对话（Ctrl+Shift+V）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="220"/>
        <source>No microphone was found: connect one, or check that the sound system is running.</source>
        <translation>未找到麦克风：请连接一个，或检查声音系统是否在运行。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="233"/>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="236"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="248"/>
        <source>No speaker was found.</source>
        <translation>未找到扬声器。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/voice_controller.py" line="449"/>
        <source>Loading the voice…</source>
        <translation>正在加载朗读语音…</translation>
    </message>
</context>
<context>
    <name>WebcamDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="301"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
</context>
<context>
    <name>WebcamWidget</name>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="130"/>
        <source>&amp;Camera:</source>
        <translation>摄像头(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="131"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="132"/>
        <source>No camera</source>
        <translation>没有摄像头</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="133"/>
        <source>Ask about what the camera sees…</source>
        <translation>询问摄像头看到的内容…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="134"/>
        <source>Question about the camera picture</source>
        <translation>关于摄像头画面的问题</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="135"/>
        <source>&amp;Snapshot</source>
        <translation>快照(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="136"/>
        <source>&amp;Ask</source>
        <translation>提问(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="137"/>
        <source>Camera preview</source>
        <translation>摄像头预览</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="165"/>
        <source>No camera was found on this computer. Connect one, or attach a photo with the paper-clip button instead.</source>
        <translation>这台电脑上没有找到摄像头。请连接一个，或改用回形针按钮附加照片。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="212"/>
        <source>Waiting for permission to use the camera…</source>
        <translation>正在等待使用摄像头的权限…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="214"/>
        <source>This app may not use the camera: allow it in the system&apos;s privacy settings, then reopen this window.</source>
        <translation>本应用无权使用摄像头：请在系统隐私设置中允许，然后重新打开此窗口。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="220"/>
        <source>The camera could not be used: {0}</source>
        <translation>无法使用摄像头：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="256"/>
        <source>Put the current frame in the message being written</source>
        <translation>将当前画面放入正在编写的消息</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="257"/>
        <source>Send the current frame with the question</source>
        <translation>将当前画面与问题一起发送</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/capture/webcam.py" line="268"/>
        <source>What do you see in this camera picture?</source>
        <translation>你在这张摄像头画面中看到了什么？</translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="57"/>
        <location filename="../../app/autoglm/ui/welcome.py" line="61"/>
        <source>Welcome to AutoGLM Desktop</source>
        <translation>欢迎使用 AutoGLM 桌面版</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="58"/>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="68"/>
        <source>Your assistant runs entirely on this computer: nothing you type, say or show it leaves the machine. To start right away, the app is preparing a small starter model, {0} ({1}), from the files installed with it. This takes a few seconds and needs no internet.</source>
        <translation>您的助手完全在这台电脑上运行：您输入、说出或展示的任何内容都不会离开本机。为了让您马上开始，应用正在用随附安装的文件准备一个小型入门模型 {0}（{1}）。这只需几秒钟，无需联网。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="74"/>
        <source>Starter model progress</source>
        <translation>入门模型进度</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="75"/>
        <source>Waiting to start…</source>
        <translation>等待开始…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="77"/>
        <source>Starter model status</source>
        <translation>入门模型状态</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="80"/>
        <source>Add AutoGLM-Phone-9B for images and screenshots</source>
        <translation>添加 AutoGLM-Phone-9B 以理解图片和截图</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="86"/>
        <source>AutoGLM-Phone-9B understands screenshots and photos as well as text. It needs about {0} of memory and two files: the language model as a Q4_K_M GGUF (about {1}) and its vision projector, an mmproj GGUF (about {2}).
• Already have them? Open the model manager, press “Import GGUF…”, choose the Q4_K_M file, then its mmproj file.
• Online? Select AutoGLM-Phone-9B in the model manager and press “Download” when an address is listed; downloads resume if interrupted and are checked before use.</source>
        <translation>AutoGLM-Phone-9B 能理解截图和照片，也能理解文字。它需要约 {0} 内存和两个文件：Q4_K_M GGUF 格式的语言模型（约 {1}）及其视觉投影器 mmproj GGUF（约 {2}）。
• 已经有这些文件？打开模型管理器，点击“导入 GGUF…”，先选择 Q4_K_M 文件，再选择其 mmproj 文件。
• 已联网？在模型管理器中选择 AutoGLM-Phone-9B，列出下载地址后点击“下载”；下载中断后可继续，并会在使用前校验。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="94"/>
        <source>Open the model manager</source>
        <translation>打开模型管理器</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="96"/>
        <source>Import or download models</source>
        <translation>导入或下载模型</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="98"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="102"/>
        <source>Start chatting</source>
        <translation>开始对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="104"/>
        <source>Close this welcome and chat with the starter model</source>
        <translation>关闭欢迎页并使用入门模型对话</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="165"/>
        <source>Preparing the starter model…</source>
        <translation>正在准备入门模型…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="176"/>
        <source>Checking the starter model… {0}%</source>
        <translation>正在检查入门模型… {0}%</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="176"/>
        <source>Preparing the starter model… {0}%</source>
        <translation>正在准备入门模型… {0}%</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="183"/>
        <source>The starter model is ready. You can chat now, and add AutoGLM-Phone-9B whenever you like.</source>
        <translation>入门模型已就绪。现在就可以对话，也可以随时添加 AutoGLM-Phone-9B。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/welcome.py" line="192"/>
        <source>The starter model could not be prepared.</source>
        <translation>无法准备入门模型。</translation>
    </message>
</context>
<context>
    <name>UpdateDialog</name>
    <message>
        <source>Check for updates</source>
        <translation>检查更新</translation>
    </message>
    <message>
        <source>What is new</source>
        <translation>新内容</translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Download and install</source>
        <translation>下载并安装</translation>
    </message>
    <message>
        <source>Looking for a new version…</source>
        <translation>正在查找新版本…</translation>
    </message>
    <message>
        <source>AutoGLM Desktop {0} is up to date.</source>
        <translation>AutoGLM 桌面版 {0} 已是最新版本。</translation>
    </message>
    <message>
        <source>(No notes for this version.)</source>
        <translation>（此版本没有说明。）</translation>
    </message>
    <message>
        <source>Version {0} is available (this is {1}). This copy runs from source: update it with git or pip.</source>
        <translation>版本 {0} 已发布（当前为 {1}）。此副本从源代码运行：请用 git 或 pip 更新。</translation>
    </message>
    <message>
        <source>Version {0} is available (this is {1}), {2} to download.</source>
        <translation>版本 {0} 已发布（当前为 {1}），需下载 {2}。</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Downloading version {0}…</source>
        <translation>正在下载版本 {0}…</translation>
    </message>
    <message>
        <source>Checking and trying out version {0}…</source>
        <translation>正在校验并试运行版本 {0}…</translation>
    </message>
    <message>
        <source>The installer of version {0} has started; it replaces this version.</source>
        <translation>版本 {0} 的安装程序已启动，它将替换当前版本。</translation>
    </message>
    <message>
        <source>Version {0} is installed; the previous one is kept. Restart AutoGLM Desktop to use it.</source>
        <translation>版本 {0} 已安装，旧版本已保留。请重新启动 AutoGLM 桌面版以使用新版本。</translation>
    </message>
    <message>
        <source>No update feed is set: this copy was not built by the release workflow. Set one in Settings → Updates.</source>
        <translation>未设置更新源：此副本不是由发布流程构建的。请在“设置 → 更新”中设置。</translation>
    </message>
</context>
<context>
    <name>ActTargetPicker</name>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Act on</source>
        <translation>执行于</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>What the agent acts on</source>
        <translation>智能体操作的对象</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>What the next task acts on: the whole desktop, one open window, or a phone</source>
        <translation>下一个任务的操作对象：整个桌面、一个打开的窗口或一部手机</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Phone {0}</source>
        <translation>手机 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Android phone</source>
        <translation>Android 手机</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Whole desktop</source>
        <translation>整个桌面</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Open windows</source>
        <translation>打开的窗口</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Looking for open windows…</source>
        <translation>正在查找打开的窗口…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Looking for phones…</source>
        <translation>正在查找手机…</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>No other window is open.</source>
        <translation>没有其他打开的窗口。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Phones (ADB)</source>
        <translation>手机（ADB）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>Android phone {0}</source>
        <translation>Android 手机 {0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>No phone is connected.</source>
        <translation>没有连接手机。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/act_target.py" line="1"/>
        <source>On: {0}</source>
        <translation>对象：{0}</translation>
    </message>
</context>
<context>
    <name>AgentController</name>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>The window “{0}” is closed or hidden: choose another in Act on.</source>
        <translation>窗口“{0}”已关闭或被隐藏：请在“执行于”中另选一个。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>(no action)</source>
        <translation>（无操作）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Step {0}</source>
        <translation>第 {0} 步</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Act</source>
        <translation>执行</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Act mode: AutoGLM does the next task on the desktop or a phone, step by step</source>
        <translation>执行模式：AutoGLM 在桌面或手机上一步步完成下一个任务</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Act mode</source>
        <translation>执行模式</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Act on</source>
        <translation>执行于</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Describe a task for AutoGLM to do…  (Enter to start, Esc to stop)</source>
        <translation>描述要 AutoGLM 完成的任务…  （Enter 开始，Esc 停止）</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Load a model first: the agent needs one that can see.</source>
        <translation>请先加载模型：智能体需要能看图的模型。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Working on it.</source>
        <translation>开始执行。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Replay: {0}</source>
        <translation>重放：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>the steps above</source>
        <translation>上面的步骤</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>The agent stopped: {0}</source>
        <translation>智能体已停止：{0}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Step {0}: {1}</source>
        <translation>第 {0} 步：{1}</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Sensitive action</source>
        <translation>敏感操作</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>The agent wants to tap something sensitive: {0}

Go ahead?</source>
        <translation>智能体要点击一个敏感按钮：{0}

继续吗？</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>The agent may be stuck</source>
        <translation>智能体可能卡住了</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>{0}

Keep going?</source>
        <translation>{0}

继续吗？</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Your turn</source>
        <translation>请您操作</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>{0}

Do it yourself, then press Continue.</source>
        <translation>{0}

请自行完成，然后按“继续”。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/agent_controller.py" line="1"/>
        <source>Go ahead</source>
        <translation>继续执行</translation>
    </message>
</context>
<context>
    <name>PointedAnswer</name>
    <message>
        <location filename="../../app/autoglm/ui/pointed_answers.py" line="1"/>
        <source>The image this answer points on cannot be read.</source>
        <translation>无法读取此回答所指的图片。</translation>
    </message>
    <message>
        <location filename="../../app/autoglm/ui/pointed_answers.py" line="1"/>
        <source>Marked on the image: {0}</source>
        <translation>已在图上标出：{0}</translation>
    </message>
</context>
<context>
    <name>DownloadResumer</name>
    <message>
        <source>The download of {0} is paused; open the model manager (Discover…) and press Download to resume it.</source>
        <translation>{0} 的下载已暂停；打开模型管理器（发现…）并点击“下载”即可继续。</translation>
    </message>
    <message>
        <source>Resuming the download of {0} that was under way when AutoGLM closed.</source>
        <translation>正在继续 AutoGLM 关闭时未完成的 {0} 下载。</translation>
    </message>
    <message>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <source>Downloading {0}: {1}</source>
        <translation>正在下载 {0}：{1}</translation>
    </message>
    <message>
        <source>{0}/s</source>
        <translation>{0}/秒</translation>
    </message>
    <message>
        <source>Downloaded and verified {0}: choose {1} in the model picker to chat with it.</source>
        <translation>已下载并校验 {0}：在模型选择器中选择 {1} 即可用它聊天。</translation>
    </message>
    <message>
        <source>The download of {0} could not be resumed: {1}</source>
        <translation>无法继续下载 {0}：{1}</translation>
    </message>
</context>
</TS>
